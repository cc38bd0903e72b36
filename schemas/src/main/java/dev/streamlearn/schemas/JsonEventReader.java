package dev.streamlearn.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON raw event in one pass over its bytes with Jackson's streaming parser, building no
 * tree: the hot path of the clean stage. It means exactly what {@link RawEventParser#parseTree}
 * means (same fields, same metadata text, same map order, same errors with the same messages):
 * semantic errors are held until the whole object has parsed, so a syntax error later in the
 * document still wins, as it does when the tree is built first. Rare shapes (a container where a
 * scalar is expected, a non-integer ts) are read as small trees to produce the same text.
 */
final class JsonEventReader {

  /** A top-level field other than id, ts, label and features, kept until the whole object is known. */
  private record Field(String name, JsonToken token, double number, String text, JsonNode tree) {}

  private JsonEventReader() {}

  /** The event, or null when the document does not start as an object (the caller then reads it as a tree). */
  static RawEvent read(ObjectMapper json, byte[] bytes) throws MalformedRecordException {
    try (JsonParser p = json.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String id = null;
      String label = null;
      Long ts = null;
      String tsError = null;
      boolean hasFeatures = false;
      boolean featuresNotObject = false;
      Map<String, Double> features = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      List<Field> rest = new ArrayList<>();
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken t = p.nextToken();
        switch (name) {
          case "id" -> id = scalarText(p, t);
          case "label" -> label = scalarText(p, t);
          case "ts" -> {
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
              ts = p.getLongValue();
            } else if (t != JsonToken.VALUE_NULL) {
              tsError = "ts is not an integer epoch-millisecond value: " + p.readValueAsTree();
            }
          }
          case "features" -> {
            hasFeatures = true;
            if (t == JsonToken.START_OBJECT) {
              collect(p, features, metadata);
            } else if (t != JsonToken.VALUE_NULL) {
              featuresNotObject = true;
              p.readValueAsTree(); // read, not skipped: its strings must meet the same limits
            }
          }
          default -> rest.add(field(p, name, t));
        }
      }
      if (tsError != null) {
        throw new MalformedRecordException(tsError);
      }
      if (featuresNotObject) {
        throw new MalformedRecordException("features is not an object");
      }
      for (Field f : rest) {
        if (f.name().equals("metadata") && f.tree() != null && f.tree().isObject()) {
          for (Iterator<Map.Entry<String, JsonNode>> it = f.tree().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            metadata.put(m.getKey(), asText(m.getValue()));
          }
        } else if (!hasFeatures && isNumber(f.token())) {
          features.put(f.name(), f.number());
        } else if (f.token() != JsonToken.VALUE_NULL) {
          metadata.put(f.name(), f.text() != null ? f.text() : numberText(f));
        }
      }
      return new RawEvent(id, ts, label, features, metadata);
    } catch (IOException e) {
      throw new MalformedRecordException("neither Avro nor valid JSON: " + RawEventParser.firstLineOf(e.getMessage()));
    }
  }

  /** The nested features object: numbers are features; other non-null values are kept aside as metadata for the cleaner to name. */
  private static void collect(JsonParser p, Map<String, Double> features, Map<String, String> metadata) throws IOException {
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      if (isNumber(t)) {
        features.put(name, p.getDoubleValue());
      } else if (t != JsonToken.VALUE_NULL) {
        metadata.put(name, t.isScalarValue() ? p.getText() : p.readValueAsTree().toString());
      }
    }
  }

  private static Field field(JsonParser p, String name, JsonToken t) throws IOException {
    if (isNumber(t)) {
      // The text is made only if needed (a number next to nested features is metadata): exact ints keep their digits.
      String intText = t == JsonToken.VALUE_NUMBER_INT ? p.getNumberValue().toString() : null;
      return new Field(name, t, p.getDoubleValue(), intText, null);
    }
    if (t.isStructStart()) {
      JsonNode tree = p.readValueAsTree();
      return new Field(name, t, 0, tree.toString(), tree);
    }
    return new Field(name, t, 0, t == JsonToken.VALUE_NULL ? null : p.getText(), null);
  }

  /** As {@code JsonNode.asText()} of a scalar; null for null and for containers (read, then dropped). */
  private static String scalarText(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t.isStructStart()) {
      p.readValueAsTree();
      return null;
    }
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getNumberValue().toString();
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      return String.valueOf(p.getDoubleValue());
    }
    return p.getText();
  }

  private static boolean isNumber(JsonToken t) {
    return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT;
  }

  private static String numberText(Field f) {
    return String.valueOf(f.number());
  }

  private static String asText(JsonNode v) {
    return v.isValueNode() ? v.asText() : v.toString();
  }
}
