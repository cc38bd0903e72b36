package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.ServingTransform;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import dev.streamlearn.client.snapshot.SnapshotIntegrityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelUpdaterIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void trainsASeparableStreamAndRollsBackAndForward() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("updater", Map.of())) {
      f.produce(10_000);
      f.startUpdater();
      // 9,000 training records, a snapshot every 2,000 (the last one by size or, here, on the next trigger)
      await().atMost(PATIENCE).until(() -> f.published().size() >= 4);
      SnapshotEvent.Published last = f.published().get(f.published().size() - 1);
      assertThat(last.meta().getMetrics().get("macro_f1")).as("macro F1 on a separable stream").isGreaterThan(0.9);
      assertThat(last.meta().getMetrics()).containsKeys("accuracy", "balanced_accuracy", "roc_auc", "log_loss", "f1.x", "precision.y", "recall.z");
      assertThat(f.published()).extracting(p -> p.meta().getVersion()).containsExactly(1L, 2L, 3L, 4L);
      assertThat(f.published().get(1).meta().getParentVersion()).isEqualTo(1L);

      SnapshotCatalog catalog = new SnapshotCatalog(f.clients);
      ModelPointer before = catalog.pointer("m").orElseThrow();

      // Rollback to v1: the pointer moves within a second and training continues from v1.
      ModelAdmin.RollbackResult result = new ModelAdmin(f.clients).rollback("m", 1, "test", Duration.ofSeconds(10));
      assertThat(result.appliedByUpdater()).isTrue();
      assertThat(result.pointer().getVersion()).isEqualTo(1);
      assertThat(result.pointer().getPreviousVersion()).isEqualTo(before.getVersion());
      assertThat(result.pointerLagMillis()).as("command to committed pointer on model.current").isLessThan(1000);

      f.produce(3_000);
      await().atMost(PATIENCE).until(() -> f.published().size() >= 5);
      ModelSnapshot afterRollback = f.published().get(4).meta();
      assertThat(afterRollback.getVersion()).as("versions keep increasing").isEqualTo(5);
      assertThat(afterRollback.getParentVersion()).as("parent is the rolled-back version").isEqualTo(1L);
      long v1Trained = f.published().get(0).meta().getTrainedRecords();
      assertThat(afterRollback.getTrainedRecords()).as("v1's records plus only what came after the rollback")
          .isLessThan(last.meta().getTrainedRecords() + 2700).isGreaterThan(v1Trained);

      // Roll forward to v4 is the same command.
      assertThat(new ModelAdmin(f.clients).rollback("m", 4, "forward", Duration.ofSeconds(10)).pointer().getVersion()).isEqualTo(4);

      // A downstream client loads the current version and predicts from raw features.
      CurrentModel current = new CurrentModel(f.clients, "m");
      assertThat(current.refresh()).isTrue();
      assertThat(current.version()).isEqualTo(4);
      assertThat(current.predict(Map.of("a", 2.0, "b", 0.0, "c", 0.0, "d", 1.0)).values().stream().mapToDouble(Double::doubleValue).sum())
          .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      servesUnderTheTrainingPolicyFromManyThreads(current);
    }
  }

  @Test
  void learnsTheSyntheticRecordsATrainingRecordCarriesAndCountsThem() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("carried", Map.of("updater.snapshot.every.records", "900"))) {
      f.produce(3_000, false, 2); // 2,700 training records carrying 2 synthetic records each, 300 eval records
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().stream().anyMatch(p -> p.meta().getTrainedRecords() == 8_100));
      ModelSnapshot last = f.published().stream().filter(p -> p.meta().getTrainedRecords() == 8_100).findFirst().orElseThrow().meta();
      assertThat(last.getSyntheticRecords()).isEqualTo(5_400);
      assertThat(last.getMetrics().get("n")).as("carried records never reach the eval window").isLessThanOrEqualTo(300.0);
      assertThat(last.getMetrics().get("macro_f1")).isGreaterThan(0.9);
    }
  }

  /** The served version refuses what training would have rejected, and answers the same from 8 threads as from one. */
  private static void servesUnderTheTrainingPolicyFromManyThreads(CurrentModel current) throws Exception {
    assertThatThrownBy(() -> current.predict(Map.of("a", 2.0, "b", 0.0, "c", 0.0))).isInstanceOf(ServingTransform.InvalidFeaturesException.class)
        .hasMessageContaining("missing feature 'd'");
    assertThatThrownBy(() -> current.predict(Map.of("a", 2.0, "b", 0.0, "c", 0.0, "d", 1.0, "e", 3.0)))
        .isInstanceOf(ServingTransform.InvalidFeaturesException.class).hasMessageContaining("unknown feature 'e'");
    assertThatThrownBy(() -> current.predict(Map.of("a", Double.POSITIVE_INFINITY, "b", 0.0, "c", 0.0, "d", 1.0)))
        .isInstanceOf(ServingTransform.InvalidFeaturesException.class).hasMessageContaining("not finite");
    java.util.Random rng = new java.util.Random(7);
    List<Map<String, Double>> inputs = new java.util.ArrayList<>();
    for (int i = 0; i < 64; i++) {
      inputs.add(Map.of("a", rng.nextGaussian(), "b", rng.nextGaussian(), "c", rng.nextGaussian(), "d", rng.nextGaussian()));
    }
    List<Map<String, Double>> expected = inputs.stream().map(current::predict).toList();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Boolean>> same = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        same.add(pool.submit(() -> {
          for (int round = 0; round < 20; round++) {
            for (int i = 0; i < inputs.size(); i++) {
              if (!current.predict(inputs.get(i)).equals(expected.get(i))) {
                return false;
              }
            }
          }
          return true;
        }));
      }
      for (var f : same) {
        assertThat(f.get()).as("concurrent predictions equal the sequential ones").isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWorseSnapshotIsPublishedButHeld() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("gate", Map.of("updater.snapshot.every.records", "1800"))) {
      f.produce(2_000);
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      f.produce(2_000, true); // a batch with wrong labels arrives
      await().atMost(PATIENCE).until(() -> f.published().size() >= 2);
      SnapshotEvent.Published good = f.published().get(0);
      SnapshotEvent.Published bad = f.published().get(1);
      assertThat(good.meta().getStatus()).isEqualTo(SnapshotStatus.PROMOTED);
      assertThat(bad.meta().getStatus()).isEqualTo(SnapshotStatus.HELD);
      assertThat(bad.meta().getHoldReason()).contains("roc_auc").contains("vs v1's").containsPattern("on the same \\d+ eval records").contains("95% CI")
          .endsWith(": worse");
      Map<String, Double> metrics = bad.meta().getMetrics();
      assertThat(metrics.get("roc_auc")).isLessThan(metrics.get("current_roc_auc") - 0.01);
      assertThat(metrics.get("gate_ci_high")).as("the whole interval of candidate - current is below 0").isLessThan(0);
      // Judged on at least updater.gate.min.records, and on what the snapshot says: one range per eval partition.
      assertThat(metrics.get("n")).isGreaterThanOrEqualTo(200.0);
      assertThat(bad.meta().getHoldReason()).contains("on the same " + metrics.get("n").intValue() + " eval records");
      assertThat(metrics).containsKey("eval_offset_from.0").containsKey("eval_offset_to.0");
      assertThat(metrics.get("preq_n")).as("prequential: every training record is real here").isEqualTo((double) bad.meta().getTrainedRecords());
      SnapshotCatalog catalog = new SnapshotCatalog(f.clients);
      ModelPointer pointer = catalog.pointer("m").orElseThrow();
      assertThat(pointer.getVersion()).as("current stays at the good version").isEqualTo(1);
      assertThat(pointer.getHead()).as("training continues from the held one").isEqualTo(2);
      assertThat(catalog.versions("m").get("m").get(2L).getStatus()).isEqualTo(SnapshotStatus.HELD);
    }
  }

  @Test
  void aTamperedSnapshotIsRefused() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("tamper", Map.of())) {
      List<dev.streamlearn.avro.ModelSnapshot> chunks = dev.streamlearn.updater.snapshot.SnapshotChunker.split(
          SnapshotChunkerTest.meta(1), new byte[] {1, 2, 3, 4, 5}, 1024);
      chunks.get(0).setChunk(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 6}));
      try (var producer = f.clients.transactionalProducer("tamper-test")) {
        producer.initTransactions();
        new dev.streamlearn.updater.snapshot.SnapshotPublisher(producer, f.config).commit(chunks,
            ModelPointer.newBuilder().setModel("m").setVersion(1).setHead(1).setReason("test").setUpdatedAt(1).build(), null, null);
      }
      assertThatThrownBy(() -> new SnapshotCatalog(f.clients).load("m", 1, null)).isInstanceOf(SnapshotIntegrityException.class)
          .hasMessageContaining("SHA-256");
      assertThatThrownBy(() -> new CurrentModel(f.clients, "m").refresh()).isInstanceOf(SnapshotIntegrityException.class);
    }
  }
}
