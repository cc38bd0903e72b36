package dev.streamlearn.core;

import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEventParser;
import java.nio.charset.StandardCharsets;

/**
 * The producer key of a raw record: its id (UTF-8). A record keyed by its id lands, through the
 * default partitioner, on the partition the streams app would re-key it to, so it skips the
 * repartition topic (see {@code DedupPlacement}). A record without a readable id gets no key: the
 * clean stage decides what is wrong with it.
 */
public final class IdKey {

  private static final RawEventParser PARSER = new RawEventParser();

  private IdKey() {}

  /** The id of a JSON or Avro raw record as key bytes, or null when it has none (or does not parse). */
  public static byte[] of(byte[] value) {
    try {
      String id = PARSER.parse(value).id();
      return id == null || id.isBlank() ? null : id.getBytes(StandardCharsets.UTF_8);
    } catch (MalformedRecordException | RuntimeException e) {
      return null;
    }
  }
}
