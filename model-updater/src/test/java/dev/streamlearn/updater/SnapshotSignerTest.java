package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.updater.snapshot.SnapshotChunker;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import dev.streamlearn.client.snapshot.SnapshotSigner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SnapshotSignerTest {

  private static final SnapshotSigner SIGNER = new SnapshotSigner("k".repeat(32).getBytes(StandardCharsets.UTF_8));

  /** A signed, published-as-read snapshot: three chunks, a normalizer, lineage and metrics. */
  private static List<ModelSnapshot> signedChunks() {
    byte[] network = new byte[5000];
    new Random(9).nextBytes(network);
    ModelSnapshot meta = ModelSnapshot.newBuilder(SnapshotChunkerTest.meta(7)).setParentVersion(6L)
        .setOffsets(Map.of("t-0", 10L, "t-1", 20L, "t-2", 30L)).setMetrics(Map.of("macro_f1", 0.9, "accuracy", 0.95))
        .setNormalizer(NormalizerStats.newBuilder().setVersion(5).setSpec(SnapshotChunkerTest.meta(7).getSpec()).setCount(List.of(5L))
            .setMean(List.of(1.5)).setM2(List.of(2.0)).setMin(List.of(0.0)).setMax(List.of(3.0)).setCounters(Map.of("a", 1L, "b", 2L)).build())
        .build();
    List<ModelSnapshot> chunks = SnapshotChunker.split(meta, network, 2000);
    SIGNER.sign(chunks);
    // as a reader sees them: decoded from the topic, maps in whatever order the decoder builds them
    return chunks.stream().map(c -> Avro.SNAPSHOT.decode(Avro.SNAPSHOT.encode(c))).toList();
  }

  @Test
  void everyChunkOfASignedSnapshotVerifiesAfterATripThroughTheTopic() {
    for (ModelSnapshot c : signedChunks()) {
      assertThatCode(() -> SIGNER.verify(c)).doesNotThrowAnyException();
    }
  }

  @Test
  void mapOrderDoesNotMatter() {
    ModelSnapshot c = signedChunks().get(0);
    Map<String, Long> reversed = new LinkedHashMap<>();
    List.of("t-2", "t-1", "t-0").forEach(k -> reversed.put(k, c.getOffsets().get(k)));
    c.setOffsets(reversed);
    assertThatCode(() -> SIGNER.verify(c)).doesNotThrowAnyException();
  }

  @Test
  void anUnsignedSnapshotIsRefused() {
    ModelSnapshot c = signedChunks().get(0);
    c.setSignature("");
    assertThatThrownBy(() -> SIGNER.verify(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("unsigned");
  }

  @Test
  void aSnapshotSignedWithAnotherKeyIsRefused() {
    ModelSnapshot c = signedChunks().get(0);
    SnapshotSigner other = new SnapshotSigner("x".repeat(32).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> other.verify(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("does not verify");
  }

  @Test
  void aSignatureThatIsNotHexIsRefused() {
    ModelSnapshot c = signedChunks().get(0);
    c.setSignature("not hex at all");
    assertThatThrownBy(() -> SIGNER.verify(c)).isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("not hex");
  }

  /** Each edit changes one field a loader trusts. */
  @Provide
  Arbitrary<Consumer<ModelSnapshot>> tampering() {
    return Arbitraries.of(
        s -> s.setModel("other"),
        s -> s.setVersion(s.getVersion() + 1),
        s -> s.setParentVersion(null),
        s -> s.setStatus(s.getStatus() == SnapshotStatus.PROMOTED ? SnapshotStatus.HELD : SnapshotStatus.PROMOTED),
        s -> s.setSizeBytes(s.getSizeBytes() + 1),
        s -> s.setChunkCount(s.getChunkCount() + 1),
        s -> s.setSha256("0".repeat(64)),
        s -> s.setSpec(dev.streamlearn.avro.DatasetSpec.newBuilder(s.getSpec()).setLabels(List.of("y", "x")).build()),
        s -> s.getNormalizer().setMean(List.of(1e9)),
        s -> s.setNormalizer(null),
        s -> s.getOffsets().put("t-0", 0L),
        s -> s.getMetrics().put("macro_f1", 1.0),
        s -> s.setTrainedRecords(s.getTrainedRecords() + 1),
        s -> s.setConfigHash("x"),
        s -> s.setCreatedAt(s.getCreatedAt() + 1));
  }

  @Property(tries = 60)
  void changingAnyTrustedFieldInvalidatesTheSignature(@ForAll("tampering") Consumer<ModelSnapshot> edit, @ForAll("chunkIndex") int chunk) {
    ModelSnapshot c = signedChunks().get(chunk);
    c.setOffsets(new java.util.HashMap<>(c.getOffsets()));
    c.setMetrics(new java.util.HashMap<>(c.getMetrics()));
    edit.accept(c);
    assertThatThrownBy(() -> SIGNER.verify(c)).isInstanceOf(SnapshotIntegrityException.class);
  }

  @Provide
  Arbitrary<Integer> chunkIndex() {
    return Arbitraries.integers().between(0, 2);
  }

  @Test
  void aPointerVerifiesOnlyUnchangedAndUnderTheKey() {
    dev.streamlearn.avro.ModelPointer p = dev.streamlearn.avro.ModelPointer.newBuilder().setModel("m").setVersion(3).setHead(4).setLastVersion(4)
        .setReason("promoted").setUpdatedAt(5).build();
    assertThat(SIGNER.verifies(p)).as("unsigned").isFalse();
    SIGNER.sign(p);
    dev.streamlearn.avro.ModelPointer read = Avro.POINTER.decode(Avro.POINTER.encode(p));
    assertThat(SIGNER.verifies(read)).isTrue();
    assertThat(new SnapshotSigner("x".repeat(32).getBytes(StandardCharsets.UTF_8)).verifies(read)).isFalse();
    read.setVersion(1);
    assertThat(SIGNER.verifies(read)).as("pointed elsewhere").isFalse();
  }

  @Test
  void theChunkFieldsAreNotSignedButBoundThroughTheChecksum() {
    ModelSnapshot c = signedChunks().get(1);
    c.setChunk(ByteBuffer.wrap(new byte[] {1}));
    assertThatCode(() -> SIGNER.verify(c)).as("bytes are bound by sha256 and sizeBytes, checked on assembly").doesNotThrowAnyException();
  }
}
