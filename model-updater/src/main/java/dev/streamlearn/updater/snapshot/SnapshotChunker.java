package dev.streamlearn.updater.snapshot;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a serialized network into chunks that fit under the broker's default 1 MB message limit,
 * so snapshots of any size (256 MB and more) publish on clusters whose settings users cannot
 * change. All chunks of a version go out in one transaction; readers reassemble and verify them.
 */
public final class SnapshotChunker {

  private SnapshotChunker() {}

  /** @param meta every field but the chunk ones (chunkIndex, chunkCount, chunk, sizeBytes, sha256 are set here) */
  public static List<ModelSnapshot> split(ModelSnapshot meta, byte[] network, int chunkBytes) {
    int count = Math.max(1, (network.length + chunkBytes - 1) / chunkBytes);
    String sha = Snapshot.sha256(network);
    List<ModelSnapshot> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * chunkBytes;
      int to = Math.min(network.length, from + chunkBytes);
      out.add(ModelSnapshot.newBuilder(meta).setChunkIndex(i).setChunkCount(count)
          .setChunk(ByteBuffer.wrap(Arrays.copyOfRange(network, from, to))).setSizeBytes(network.length).setSha256(sha).build());
    }
    return out;
  }

  /** The compaction key of one chunk: model, version and index, so pruning a version is one tombstone per chunk. */
  public static byte[] key(String model, long version, int chunk) {
    return SnapshotKey.format(model, version, chunk);
  }
}
