package dev.streamlearn.client.snapshot;

import dev.streamlearn.avro.ModelSnapshot;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Collects the chunks of snapshots read from the topic and yields each version once all its chunks
 * are in and verified. Chunk metadata comes from the topic, so it is checked before it is trusted:
 * index within the count, a count and a size within bounds, the same count, size, SHA-256 and
 * signature on every chunk of a version, no chunk twice, and the chunks' lengths adding up to the
 * recorded size, all before the whole network is allocated.
 */
public final class SnapshotAssembler {

  /** The smallest chunk a publisher writes (the chunk-size setting's minimum) bounds how many chunks a valid snapshot has. */
  private static final int MIN_CHUNK_BYTES = 1024;

  private final long maxBytes;
  private final int maxChunks;
  private final Map<String, Pending> pending = new HashMap<>();

  private static final class Pending {
    final ModelSnapshot first;
    final ModelSnapshot[] parts;
    long bytes;
    int missing;

    Pending(ModelSnapshot first) {
      this.first = first;
      this.parts = new ModelSnapshot[first.getChunkCount()];
      this.missing = parts.length;
    }
  }

  /** @param maxBytes the largest snapshot accepted (setting snapshot.max.bytes) */
  public SnapshotAssembler(long maxBytes) {
    this.maxBytes = maxBytes;
    this.maxChunks = (int) Math.min(Integer.MAX_VALUE, maxBytes / MIN_CHUNK_BYTES + 1);
  }

  /**
   * Adds a chunk; returns the whole snapshot when this chunk completes it. Throws
   * {@link SnapshotIntegrityException} on inconsistent chunk metadata or a bad checksum.
   */
  public Optional<Snapshot> add(ModelSnapshot chunk) {
    String id = chunk.getModel() + "/" + chunk.getVersion();
    String what = "snapshot " + chunk.getModel() + " v" + chunk.getVersion();
    checkBounds(chunk, what);
    Pending p = pending.computeIfAbsent(id, k -> new Pending(chunk));
    checkSameSnapshot(p.first, chunk, what);
    if (p.parts[chunk.getChunkIndex()] != null) {
      throw new SnapshotIntegrityException(what + ": chunk " + chunk.getChunkIndex() + " appears twice; refusing to load it");
    }
    p.bytes += chunk.getChunk().remaining();
    if (p.bytes > chunk.getSizeBytes()) {
      throw new SnapshotIntegrityException(what + ": its chunks hold more than the recorded " + chunk.getSizeBytes() + " bytes; refusing to load it");
    }
    p.parts[chunk.getChunkIndex()] = chunk;
    if (--p.missing > 0) {
      return Optional.empty();
    }
    pending.remove(id);
    if (p.bytes != chunk.getSizeBytes()) {
      throw new SnapshotIntegrityException(what + ": its chunks hold " + p.bytes + " bytes, expected " + chunk.getSizeBytes() + "; refusing to load it");
    }
    byte[] network = new byte[(int) p.bytes]; // bounded by maxBytes and equal to what was actually received
    int at = 0;
    for (ModelSnapshot part : p.parts) {
      ByteBuffer b = part.getChunk().duplicate();
      int n = b.remaining();
      b.get(network, at, n);
      at += n;
    }
    ModelSnapshot meta = ModelSnapshot.newBuilder(p.parts[0]).setChunk(ByteBuffer.allocate(0)).build();
    Snapshot.verify(meta, network);
    return Optional.of(new Snapshot(meta, network));
  }

  /** Drops what was collected of a version (its chunks were pruned: a tombstone followed them). */
  public void discard(String model, long version) {
    pending.remove(model + "/" + version);
  }

  private void checkBounds(ModelSnapshot c, String what) {
    if (c.getChunkCount() < 1 || c.getChunkCount() > maxChunks) {
      throw new SnapshotIntegrityException(what + ": chunkCount " + c.getChunkCount() + " is outside [1, " + maxChunks + "]; refusing to load it");
    }
    if (c.getChunkIndex() < 0 || c.getChunkIndex() >= c.getChunkCount()) {
      throw new SnapshotIntegrityException(what + ": chunkIndex " + c.getChunkIndex() + " is outside [0, " + c.getChunkCount() + "); refusing to load it");
    }
    if (c.getSizeBytes() < 0 || c.getSizeBytes() > maxBytes) {
      throw new SnapshotIntegrityException(what + ": sizeBytes " + c.getSizeBytes() + " is outside [0, " + maxBytes
          + "] (snapshot.max.bytes); refusing to load it");
    }
  }

  /** Every chunk of a version carries the same whole-snapshot metadata; a chunk that does not was not written with the others. */
  private static void checkSameSnapshot(ModelSnapshot first, ModelSnapshot c, String what) {
    if (first.getChunkCount() != c.getChunkCount() || first.getSizeBytes() != c.getSizeBytes()
        || !Objects.equals(first.getSha256(), c.getSha256()) || !Objects.equals(first.getSignature(), c.getSignature())) {
      throw new SnapshotIntegrityException(what + ": chunk " + c.getChunkIndex() + " disagrees with chunk " + first.getChunkIndex()
          + " on the chunk count, size, SHA-256 or signature; refusing to load it");
    }
  }
}
