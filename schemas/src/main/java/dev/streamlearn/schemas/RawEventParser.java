package dev.streamlearn.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.streamlearn.avro.LabeledRecord;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads the two accepted forms of records.raw: Avro single-object {@code LabeledRecord}s and JSON
 * objects. JSON may nest features ({@code "features": {"amount": 12.5}}) or keep them flat at the
 * top level next to {@code id}, {@code ts} and {@code label}; flat is how most exported data
 * looks, so both are first-class. Other fields become metadata. Nothing here decides validity:
 * a missing label or a NaN is passed through for the cleaner to reject with a reason.
 */
public final class RawEventParser {

  /**
   * Explicit bounds on what one JSON record may cost to parse: the cleaner refuses records over
   * clean.max.record.bytes first, but the spec warm-up reads records.raw too, and nesting is what
   * turns a small input into a deep recursion.
   */
  static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
      .maxNestingDepth(64).maxNumberLength(1000).maxStringLength(8 * 1024 * 1024).maxNameLength(64 * 1024)
      .maxDocumentLength(16L * 1024 * 1024).build();

  private static final ObjectMapper JSON =
      JsonMapper.builder(JsonFactory.builder().streamReadConstraints(LIMITS).build())
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  public RawEvent parse(byte[] bytes) throws MalformedRecordException {
    if (bytes == null || bytes.length == 0) {
      throw new MalformedRecordException("empty value");
    }
    if (Avro.isSingleObject(bytes)) {
      try {
        return fromAvro(Avro.LABELED.decode(bytes));
      } catch (SerializationException e) {
        throw new MalformedRecordException(e.getMessage(), e);
      }
    }
    int invalid = Utf8Check.firstInvalid(bytes);
    if (invalid >= 0) {
      throw new MalformedRecordException("neither Avro nor valid UTF-8 JSON: invalid UTF-8 at byte " + invalid);
    }
    RawEvent e = JsonEventReader.read(JSON, bytes);
    return requireUnicode(e != null ? e : parseTree(bytes));
  }

  /**
   * Refuses a JSON event whose string escapes spell an unpaired surrogate anywhere it carries text
   * on. RFC 8259 (8.2) leaves such strings' meaning open and I-JSON (RFC 7493, 2.1) forbids them; kept,
   * the id {@code "a\ud800"} would be stored as {@code "a?"} and meet another record's id.
   */
  static RawEvent requireUnicode(RawEvent e) throws MalformedRecordException {
    requireUnicode("id", e.id());
    requireUnicode("label", e.label());
    for (String name : e.features().keySet()) {
      requireUnicode("a feature name", name);
    }
    for (Map.Entry<String, String> m : e.metadata().entrySet()) {
      requireUnicode("a field name", m.getKey());
      String name = m.getKey().length() > 64 ? m.getKey().substring(0, 64) + "..." : m.getKey(); // names reach 64 KB
      requireUnicode("field '" + name + "'", m.getValue());
    }
    return e;
  }

  private static void requireUnicode(String where, String text) throws MalformedRecordException {
    int at = text == null ? -1 : Utf8Check.firstUnpairedSurrogate(text);
    if (at >= 0) {
      throw new MalformedRecordException("not Unicode text: " + where + " has an unpaired UTF-16 surrogate (a JSON escape such as \\ud800) at char "
          + at + "; it has no UTF-8 form to store");
    }
  }

  /**
   * The same reading through a JSON tree: the definition {@link JsonEventReader} must agree with
   * (a test compares the two on hostile and random input), and what a document that does not
   * start as an object goes through, so its rejection reads exactly as before.
   */
  static RawEvent parseTree(byte[] bytes) throws MalformedRecordException {
    JsonNode node = readTree(bytes);
    if (node == null || !node.isObject()) {
      throw new MalformedRecordException("JSON value is not an object");
    }
    return fromJson(node);
  }

  static String firstLineOf(String s) {
    return firstLine(s);
  }

  /** Strict UTF-8, then JSON within {@link #LIMITS}: the one way untrusted JSON is read. */
  public static JsonNode readTree(byte[] bytes) throws MalformedRecordException {
    int invalid = Utf8Check.firstInvalid(bytes);
    if (invalid >= 0) {
      throw new MalformedRecordException("neither Avro nor valid UTF-8 JSON: invalid UTF-8 at byte " + invalid);
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new MalformedRecordException("neither Avro nor valid JSON: " + firstLine(e.getMessage()));
    }
  }

  /** Compact JSON text of a tree read by {@link #readTree}. */
  public static byte[] writeTree(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static RawEvent fromAvro(LabeledRecord r) {
    return new RawEvent(r.getId(), r.getTs(), r.getLabel(), new LinkedHashMap<>(r.getFeatures()), new LinkedHashMap<>(r.getMetadata()));
  }

  private static RawEvent fromJson(JsonNode node) throws MalformedRecordException {
    String id = scalarText(node.get("id"));
    Long ts = null;
    JsonNode tsNode = node.get("ts");
    if (tsNode != null && !tsNode.isNull()) {
      if (!tsNode.canConvertToLong() || !tsNode.isIntegralNumber()) {
        throw new MalformedRecordException("ts is not an integer epoch-millisecond value: " + tsNode);
      }
      ts = tsNode.asLong();
    }
    String label = scalarText(node.get("label"));
    Map<String, Double> features = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode nested = node.get("features");
    if (nested != null && !nested.isNull()) {
      if (!nested.isObject()) {
        throw new MalformedRecordException("features is not an object");
      }
      collect(nested, features, metadata);
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = f.getKey();
      if (name.equals("id") || name.equals("ts") || name.equals("label") || name.equals("features")) {
        continue;
      }
      if (name.equals("metadata") && f.getValue().isObject()) {
        f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), asText(m.getValue())));
      } else if (nested == null && f.getValue().isNumber()) {
        features.put(name, f.getValue().asDouble());
      } else if (!f.getValue().isNull()) {
        metadata.put(name, asText(f.getValue()));
      }
    }
    return new RawEvent(id, ts, label, features, metadata);
  }

  private static void collect(JsonNode object, Map<String, Double> features, Map<String, String> metadata) {
    object.fields().forEachRemaining(f -> {
      JsonNode v = f.getValue();
      if (v.isNumber()) {
        features.put(f.getKey(), v.asDouble());
      } else if (!v.isNull()) {
        // A non-number where a feature belongs: kept aside so the cleaner can name it.
        metadata.put(f.getKey(), asText(v));
      }
    });
  }

  private static String scalarText(JsonNode n) {
    if (n == null || n.isNull() || n.isContainerNode()) {
      return null;
    }
    return n.asText();
  }

  private static String asText(JsonNode v) {
    return v.isValueNode() ? v.asText() : v.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
