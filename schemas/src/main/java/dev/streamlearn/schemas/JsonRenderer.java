package dev.streamlearn.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Turns any record on any streamlearn topic into one line of JSON for people and tools:
 * Avro single-object values are decoded with their writer schema; JSON passes through; other
 * bytes show as text or base64. Bytes fields print as text when they are UTF-8, else base64,
 * and large ones (model chunks) as their size only.
 */
public final class JsonRenderer {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_INLINE_BYTES = 4096;

  public JsonNode render(byte[] value) {
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (Avro.isSingleObject(value)) {
      long fp = ByteBuffer.wrap(value, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      Schema writer = KnownSchemas.get().findByFingerprint(fp);
      if (writer != null) {
        try {
          // Sizes and nesting checked before decoding, as every reader of ours does: ProcessedRecord nests itself.
          AvroBounds.check(value, 10, writer);
          GenericRecord rec = new GenericDatumReader<GenericRecord>(writer)
              .read(null, DecoderFactory.get().binaryDecoder(value, 10, value.length - 10, null));
          return toJson(rec);
        } catch (IOException | RuntimeException e) {
          // fall through: show the raw bytes
        }
      }
    }
    try {
      JsonNode node = MAPPER.readTree(value);
      if (node != null && node.isContainerNode()) {
        return node;
      }
    } catch (IOException e) {
      // not JSON
    }
    return bytesNode(value);
  }

  public String renderLine(byte[] value) {
    return render(value).toString();
  }

  public static JsonNode toJson(Object avro) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (avro == null) {
      return f.nullNode();
    }
    if (avro instanceof GenericRecord rec) {
      ObjectNode o = f.objectNode();
      for (Schema.Field field : rec.getSchema().getFields()) {
        o.set(field.name(), toJson(rec.get(field.pos())));
      }
      return o;
    }
    if (avro instanceof Map<?, ?> map) {
      ObjectNode o = f.objectNode();
      map.forEach((k, v) -> o.set(String.valueOf(k), toJson(v)));
      return o;
    }
    if (avro instanceof Collection<?> c) {
      var a = f.arrayNode();
      c.forEach(v -> a.add(toJson(v)));
      return a;
    }
    if (avro instanceof ByteBuffer bb) {
      byte[] b = new byte[bb.remaining()];
      bb.duplicate().get(b);
      return bytesNode(b);
    }
    if (avro instanceof Double d) {
      return Double.isFinite(d) ? f.numberNode(d) : f.textNode(d.toString());
    }
    if (avro instanceof Float d) {
      return f.numberNode(d);
    }
    if (avro instanceof Long l) {
      return f.numberNode(l);
    }
    if (avro instanceof Integer i) {
      return f.numberNode(i);
    }
    if (avro instanceof Boolean b) {
      return f.booleanNode(b);
    }
    return f.textNode(avro.toString());
  }

  private static JsonNode bytesNode(byte[] b) {
    if (b.length > MAX_INLINE_BYTES) {
      return JsonNodeFactory.instance.textNode("<" + b.length + " bytes>");
    }
    try {
      return JsonNodeFactory.instance.textNode(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString());
    } catch (CharacterCodingException e) {
      return JsonNodeFactory.instance.textNode("base64:" + Base64.getEncoder().encodeToString(b));
    }
  }
}
