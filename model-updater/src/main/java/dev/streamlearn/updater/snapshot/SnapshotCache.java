package dev.streamlearn.updater.snapshot;

import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotBytesCache;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A local RocksDB cache of snapshot network bytes, so a rollback or a restart reloads a version
 * without re-reading the snapshot topic. Entries are verified against the snapshot's SHA-256 on the
 * way out as on the way in: a corrupted cache entry is dropped, never loaded.
 */
public final class SnapshotCache implements SnapshotBytesCache, AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  private final Options options;
  private final RocksDB db;

  public SnapshotCache(Path dir) {
    try {
      Files.createDirectories(dir);
      this.options = new Options().setCreateIfMissing(true);
      this.db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException | java.io.IOException e) {
      throw new IllegalStateException("cannot open the snapshot cache at " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void put(String model, long version, byte[] network) {
    try {
      db.put(key(model, version), network);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cached bytes if present and matching {@code sha256}. */
  @Override
  public Optional<byte[]> get(String model, long version, String sha256) {
    try {
      byte[] b = db.get(key(model, version));
      if (b == null) {
        return Optional.empty();
      }
      if (!Snapshot.sha256(b).equals(sha256)) {
        db.delete(key(model, version));
        return Optional.empty();
      }
      return Optional.of(b);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  public void delete(String model, long version) {
    try {
      db.delete(key(model, version));
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Opens the cache, retrying while another process or instance still holds RocksDB's lock on the
   * directory (a leader hands over just as it closes).
   */
  public static SnapshotCache open(Path dir, java.time.Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        return new SnapshotCache(dir);
      } catch (IllegalStateException e) {
        if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).contains("lock")) {
          throw e;
        }
        Thread.sleep(200); // a file lock has no notification to wait on
      }
    }
  }

  private static byte[] key(String model, long version) {
    return (model + "/" + version).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    db.close();
    options.close();
  }
}
