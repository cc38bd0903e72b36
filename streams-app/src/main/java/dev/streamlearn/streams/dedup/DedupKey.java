package dev.streamlearn.streams.dedup;

import dev.streamlearn.avro.LabeledRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** What makes two records the same: their id, or (dedup.key=content) their label and feature values. */
public enum DedupKey {
  ID,
  CONTENT;

  /** The key named as in dedup.key ({@code id}, {@code content}); any other name fails rather than deduplicate differently. */
  public static DedupKey of(String name) {
    return switch (String.valueOf(name)) {
      case "id" -> ID;
      case "content" -> CONTENT;
      default -> throw new IllegalArgumentException("unknown dedup key '" + name + "' (id or content)");
    };
  }

  public String of(LabeledRecord r) {
    if (this == ID) {
      return r.getId();
    }
    StringBuilder sb = new StringBuilder(r.getLabel()).append('\u0000');
    for (Map.Entry<String, Double> e : new TreeMap<>(r.getFeatures()).entrySet()) {
      sb.append(e.getKey()).append('=').append(Double.doubleToLongBits(e.getValue())).append('\u0000');
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
