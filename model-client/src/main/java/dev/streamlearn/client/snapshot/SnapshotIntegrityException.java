package dev.streamlearn.client.snapshot;

/** A snapshot whose chunks are missing or whose bytes do not match its SHA-256: it is never loaded. */
public final class SnapshotIntegrityException extends RuntimeException {
  public SnapshotIntegrityException(String message) {
    super(message);
  }
}
