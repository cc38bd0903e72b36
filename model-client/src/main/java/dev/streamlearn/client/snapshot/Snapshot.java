package dev.streamlearn.client.snapshot;

import dev.streamlearn.avro.ModelSnapshot;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A whole model snapshot: the metadata (from its first chunk, with the chunk payload cleared) and
 * the verified network bytes.
 */
public record Snapshot(ModelSnapshot meta, byte[] network) {

  public String model() {
    return meta.getModel();
  }

  public long version() {
    return meta.getVersion();
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Throws unless the bytes have the recorded size and SHA-256. */
  public static void verify(ModelSnapshot meta, byte[] bytes) {
    if (bytes.length != meta.getSizeBytes()) {
      throw new SnapshotIntegrityException("snapshot " + meta.getModel() + " v" + meta.getVersion() + ": " + bytes.length
          + " bytes, expected " + meta.getSizeBytes() + "; refusing to load it");
    }
    String actual = sha256(bytes);
    if (!actual.equals(meta.getSha256())) {
      throw new SnapshotIntegrityException("snapshot " + meta.getModel() + " v" + meta.getVersion() + ": SHA-256 " + actual
          + " does not match the recorded " + meta.getSha256() + "; refusing to load it");
    }
  }
}
