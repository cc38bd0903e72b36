package dev.streamlearn.client.snapshot;

import java.util.Optional;

/**
 * A local store of verified snapshot network bytes that {@link SnapshotCatalog#load} consults before
 * reading the topic. The updater keeps one in RocksDB; clients need none, so this module names only
 * the contract and carries no storage engine.
 */
public interface SnapshotBytesCache {

  /** The cached bytes if present and matching {@code sha256}; a mismatching entry is dropped, never returned. */
  Optional<byte[]> get(String model, long version, String sha256);

  void put(String model, long version, byte[] network);
}
