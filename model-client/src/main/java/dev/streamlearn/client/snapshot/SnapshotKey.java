package dev.streamlearn.client.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The model and version a snapshot chunk's key names (model/version/chunk): one format for the writer and every reader. */
public record SnapshotKey(String model, long version) {

  /** The compaction key of one chunk: model, version and index, so pruning a version is one tombstone per chunk. */
  public static byte[] format(String model, long version, int chunk) {
    return String.format("%s/%019d/%06d", model, version, chunk).getBytes(StandardCharsets.UTF_8);
  }

  public static Optional<SnapshotKey> parse(byte[] key) {
    if (key == null) {
      return Optional.empty();
    }
    String s = new String(key, StandardCharsets.UTF_8);
    int chunkSep = s.lastIndexOf('/');
    int versionSep = chunkSep <= 0 ? -1 : s.lastIndexOf('/', chunkSep - 1);
    if (versionSep <= 0) {
      return Optional.empty();
    }
    try {
      Integer.parseInt(s.substring(chunkSep + 1));
      return Optional.of(new SnapshotKey(s.substring(0, versionSep), Long.parseLong(s.substring(versionSep + 1, chunkSep))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
