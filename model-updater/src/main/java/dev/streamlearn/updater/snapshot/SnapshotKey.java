package dev.streamlearn.updater.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The model and version a snapshot chunk's key names ({@link SnapshotChunker#key}: model/version/chunk). */
record SnapshotKey(String model, long version) {

  static Optional<SnapshotKey> parse(byte[] key) {
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
