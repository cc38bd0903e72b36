package dev.streamlearn.streams.clean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEventParser;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Removes personal data before anything is stored or forwarded: the configured fields are dropped,
 * or replaced with an HMAC-SHA256 keyed by a secret, so equal values still join without the value
 * being recoverable. Applies to metadata, to features of that name (always dropped: a hash is not
 * a number), to fields of that name at any depth inside nested JSON metadata, and to the copy of a
 * rejected record that the DLQ keeps.
 *
 * <p>The DLQ copy: with {@code pii.fields} set, an original that parses (JSON, or Avro of a known
 * schema) is stored scrubbed the same way; one that does not parse cannot be scrubbed, because
 * nothing says where a value starts, so it is withheld: the DLQ keeps its length and SHA-256 (to
 * match it against the source system) but not its bytes. Messages never repeat a value then.
 */
public final class PiiScrubber {

  private final Set<String> fields;
  private final boolean hash;
  private final byte[] secret;

  public PiiScrubber(Set<String> fields, boolean hash, String secret) {
    if (hash && !fields.isEmpty() && (secret == null || secret.isEmpty())) {
      throw new IllegalArgumentException("pii.mode=hash needs pii.secret");
    }
    this.fields = Set.copyOf(fields);
    this.hash = hash;
    this.secret = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
  }

  public boolean active() {
    return !fields.isEmpty();
  }

  public void scrub(Map<String, Double> features, Map<String, String> metadata) {
    if (fields.isEmpty()) {
      return;
    }
    for (String f : fields) {
      features.remove(f);
      String v = metadata.remove(f);
      if (v != null && hash) {
        metadata.put(f, hmac(v));
      }
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      e.setValue(scrubNestedJson(e.getValue()));
    }
  }

  /** A metadata value that holds a nested JSON object or array, with the fields scrubbed at any depth. */
  private String scrubNestedJson(String value) {
    if (value == null || value.isEmpty() || (value.charAt(0) != '{' && value.charAt(0) != '[')) {
      return value;
    }
    try {
      JsonNode tree = RawEventParser.readTree(value.getBytes(StandardCharsets.UTF_8));
      return scrubTree(tree) ? new String(RawEventParser.writeTree(tree), StandardCharsets.UTF_8) : value;
    } catch (MalformedRecordException e) {
      return value; // not JSON after all: plain text under a non-PII name
    }
  }

  /** Scrubs in place; true if anything changed. */
  private boolean scrubTree(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode v = o.get(name);
        if (fields.contains(name)) {
          if (hash && v.isValueNode() && !v.isNull()) {
            o.set(name, TextNode.valueOf(hmac(v.asText())));
          } else {
            o.remove(name);
          }
          changed = true;
        } else {
          changed |= scrubTree(v);
        }
      }
    } else if (node instanceof ArrayNode a) {
      for (JsonNode v : a) {
        changed |= scrubTree(v);
      }
    }
    return changed;
  }

  /** What the DLQ may keep of a rejected record's bytes: the bytes scrubbed, or empty when they cannot be. */
  public Optional<byte[]> scrubOriginal(byte[] value) {
    if (!active() || value == null) {
      return Optional.ofNullable(value);
    }
    try {
      if (Avro.isSingleObject(value)) {
        LabeledRecord r = Avro.LABELED.decode(value);
        Map<String, Double> features = new LinkedHashMap<>(r.getFeatures());
        Map<String, String> metadata = new LinkedHashMap<>(r.getMetadata());
        scrub(features, metadata);
        return Optional.of(Avro.LABELED.encode(LabeledRecord.newBuilder(r).setFeatures(features).setMetadata(metadata).build()));
      }
      JsonNode tree = RawEventParser.readTree(value);
      if (tree == null) {
        return Optional.empty();
      }
      scrubTree(tree);
      return Optional.of(RawEventParser.writeTree(tree));
    } catch (MalformedRecordException | RuntimeException | Error e) { // as in the clean stage: never a crash
      return Optional.empty();
    }
  }

  /** A description of withheld bytes that identifies them without revealing them. */
  public static String fingerprint(byte[] value) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(value == null ? new byte[0] : value);
      return (value == null ? 0 : value.length) + " bytes, sha256 " + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A reject message fit to store: unchanged without PII fields; with them, cut before the first
   * quoted part, which is where parsers and the cleaner quote what they read.
   */
  public String safeMessage(String message) {
    if (!active() || message == null) {
      return message;
    }
    int cut = message.length();
    for (char q : new char[] {'\'', '"', '`'}) {
      int i = message.indexOf(q);
      if (i >= 0) {
        cut = Math.min(cut, i);
      }
    }
    return cut == message.length() ? message : message.substring(0, cut).trim() + " [values withheld: pii.fields is set]";
  }

  String hmac(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
