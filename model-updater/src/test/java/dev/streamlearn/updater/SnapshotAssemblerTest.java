package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotAssembler;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Chunk metadata comes from a topic anyone may write: every lie is refused before the network is allocated. */
class SnapshotAssemblerTest {

  private static final long MAX = 1 << 20;

  private static List<ModelSnapshot> chunks(int size, int chunkBytes) {
    byte[] network = new byte[size];
    new Random(size).nextBytes(network);
    return SnapshotChunker.split(SnapshotChunkerTest.meta(1), network, chunkBytes);
  }

  private static ModelSnapshot copy(ModelSnapshot c) {
    return ModelSnapshot.newBuilder(c).build();
  }

  @Test
  void anIndexOutsideTheCountIsRefused() {
    ModelSnapshot c = copy(chunks(3000, 1024).get(0));
    c.setChunkIndex(3);
    assertThatThrownBy(() -> new SnapshotAssembler(MAX).add(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("chunkIndex 3");
    c.setChunkIndex(-1);
    assertThatThrownBy(() -> new SnapshotAssembler(MAX).add(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("chunkIndex -1");
  }

  @Test
  void aHugeChunkCountIsRefusedBeforeAnythingIsAllocated() {
    ModelSnapshot c = copy(chunks(3000, 1024).get(0));
    c.setChunkCount(Integer.MAX_VALUE); // would allocate a 2^31-slot array
    assertThatThrownBy(() -> new SnapshotAssembler(MAX).add(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("chunkCount");
    c.setChunkCount(0);
    assertThatThrownBy(() -> new SnapshotAssembler(MAX).add(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("chunkCount 0");
  }

  @Test
  void aSizeAboveTheMaximumIsRefused() {
    ModelSnapshot c = copy(chunks(1000, 1024).get(0));
    c.setSizeBytes(MAX + 1);
    assertThatThrownBy(() -> new SnapshotAssembler(MAX).add(c)).isInstanceOf(SnapshotIntegrityException.class)
        .hasMessageContaining("snapshot.max.bytes");
  }

  @Test
  void chunksThatDisagreeAreRefused() {
    List<ModelSnapshot> cs = chunks(3000, 1024);
    ModelSnapshot odd = copy(cs.get(1));
    odd.setSha256("00");
    SnapshotAssembler a = new SnapshotAssembler(MAX);
    a.add(cs.get(0));
    assertThatThrownBy(() -> a.add(odd)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("disagrees");
  }

  @Test
  void aDuplicateChunkIsRefused() {
    List<ModelSnapshot> cs = chunks(3000, 1024);
    SnapshotAssembler a = new SnapshotAssembler(MAX);
    a.add(cs.get(0));
    assertThatThrownBy(() -> a.add(cs.get(0))).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("twice");
  }

  @Test
  void chunksHoldingMoreOrLessThanTheRecordedSizeAreRefused() {
    List<ModelSnapshot> cs = chunks(3000, 1024);
    List<ModelSnapshot> claimsMore = cs.stream().map(SnapshotAssemblerTest::copy).toList();
    claimsMore.forEach(c -> c.setSizeBytes(2000)); // 3000 bytes arrive
    SnapshotAssembler a = new SnapshotAssembler(MAX);
    a.add(claimsMore.get(0));
    assertThatThrownBy(() -> a.add(claimsMore.get(1))).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("more than the recorded 2000");

    List<ModelSnapshot> claimsLess = cs.stream().map(SnapshotAssemblerTest::copy).toList();
    claimsLess.forEach(c -> c.setSizeBytes(4000));
    SnapshotAssembler b = new SnapshotAssembler(MAX);
    b.add(claimsLess.get(0));
    b.add(claimsLess.get(1));
    assertThatThrownBy(() -> b.add(claimsLess.get(2))).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("hold 3000 bytes, expected 4000");
  }

  @Test
  void aDiscardedVersionStartsOver() {
    List<ModelSnapshot> cs = chunks(3000, 1024);
    SnapshotAssembler a = new SnapshotAssembler(MAX);
    a.add(cs.get(0));
    a.discard("m", 1); // a tombstone: what came before is gone
    a.add(cs.get(0));
    a.add(cs.get(1));
    Optional<Snapshot> done = a.add(cs.get(2));
    assertThat(done).isPresent();
    assertThat(done.get().network()).hasSize(3000);
    assertThat(ByteBuffer.wrap(done.get().network(), 0, 1024)).isEqualTo(cs.get(0).getChunk().duplicate());
  }
}
