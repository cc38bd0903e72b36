package dev.streamlearn.updater.snapshot;

import dev.streamlearn.avro.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Collects the chunks of snapshots read from the topic and yields each version once all its chunks are in and verified. */
public final class SnapshotAssembler {

  private final Map<String, ModelSnapshot[]> pending = new HashMap<>();

  /** Adds a chunk; returns the whole snapshot when this chunk completes it. Throws {@link SnapshotIntegrityException} on a bad checksum. */
  public Optional<Snapshot> add(ModelSnapshot chunk) {
    String id = chunk.getModel() + "/" + chunk.getVersion();
    ModelSnapshot[] parts = pending.computeIfAbsent(id, k -> new ModelSnapshot[chunk.getChunkCount()]);
    if (parts.length != chunk.getChunkCount()) {
      // a version republished with another chunking (should not happen): start over with the newest
      parts = new ModelSnapshot[chunk.getChunkCount()];
      pending.put(id, parts);
    }
    parts[chunk.getChunkIndex()] = chunk;
    for (ModelSnapshot p : parts) {
      if (p == null) {
        return Optional.empty();
      }
    }
    pending.remove(id);
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, chunk.getSizeBytes()));
    for (ModelSnapshot p : parts) {
      ByteBuffer b = p.getChunk().duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      out.writeBytes(bytes);
    }
    byte[] network = out.toByteArray();
    ModelSnapshot meta = ModelSnapshot.newBuilder(parts[0]).setChunk(ByteBuffer.allocate(0)).build();
    Snapshot.verify(meta, network);
    return Optional.of(new Snapshot(meta, network));
  }
}
