package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotAssembler;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotChunkerTest {

  static ModelSnapshot meta(long version) {
    return ModelSnapshot.newBuilder().setModel("m").setVersion(version).setCreatedAt(1).setStatus(SnapshotStatus.PROMOTED)
        .setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.allocate(0)).setSizeBytes(0).setSha256("")
        .setSpec(DatasetSpec.newBuilder().setFeatures(List.of("a")).setLabels(List.of("x", "y")).build())
        .setOffsets(Map.of()).setTrainedRecords(0).setSyntheticRecords(0).setConfigHash("h").build();
  }

  @Test
  void chunksReassembleInAnyOrderToTheVerifiedBytes() {
    byte[] network = new byte[1_000_003];
    new Random(1).nextBytes(network);
    List<ModelSnapshot> chunks = new java.util.ArrayList<>(SnapshotChunker.split(meta(3), network, 100_000));
    assertThat(chunks).hasSize(11);
    Collections.shuffle(chunks, new Random(2));
    SnapshotAssembler a = new SnapshotAssembler(1L << 30);
    Optional<Snapshot> done = Optional.empty();
    for (ModelSnapshot c : chunks) {
      assertThat(done).isEmpty();
      done = a.add(c);
    }
    assertThat(done).isPresent();
    assertThat(done.get().network()).isEqualTo(network);
    assertThat(done.get().meta().getSha256()).isEqualTo(Snapshot.sha256(network));
  }

  @Test
  void aTamperedChunkIsRefused() {
    byte[] network = new byte[5000];
    new Random(3).nextBytes(network);
    List<ModelSnapshot> chunks = SnapshotChunker.split(meta(4), network, 2000);
    ByteBuffer tampered = ByteBuffer.allocate(chunks.get(1).getChunk().remaining());
    tampered.put(chunks.get(1).getChunk().duplicate()).flip();
    tampered.put(7, (byte) (tampered.get(7) ^ 1));
    chunks.get(1).setChunk(tampered);
    SnapshotAssembler a = new SnapshotAssembler(1L << 30);
    a.add(chunks.get(0));
    a.add(chunks.get(1));
    assertThatThrownBy(() -> a.add(chunks.get(2))).isInstanceOf(SnapshotIntegrityException.class)
        .hasMessageContaining("does not match").hasMessageContaining("refusing to load");
  }
}
