package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.client.snapshot.Snapshot;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A replay from the same version over the same range gives the same network bit for bit; another range does not. */
class RetrainerIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void theSameRangeTwiceGivesTheSameSha256AndAnotherRangeAnother() throws Exception {
    // Dropout, replay and the rest at the end on: all draw random numbers, so all must be seeded for the hashes to agree.
    // The updater itself never rests here (its idle time is longer than the test), the retrains do: V1's 2,000 records
    // are forgiven (the retrain's reservoir starts empty), the 2,950 replayed owe 30 fits each.
    try (UpdaterFixture f = new UpdaterFixture("retrain", Map.of("updater.dropout", "0.2", "updater.replay.batches", "1",
        "updater.rest.epochs", "30", "updater.rest.max.records", "100000", "updater.rest.idle.ms", "600000"))) {
      f.produce(2_500); // 2,250 training records: v1 at 2,000
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      f.close(); // stops the updater and waits for it
      f.produce(3_000);

      Retrainer retrainer = new Retrainer(f.config);
      Retrainer.Plan first = retrainer.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m-a");
      assertThat(first.records()).as("v1's lineage offsets to the end: the 250 v1 left and the 2,700 new ones").isEqualTo(2_950);
      Retrainer.Result a = retrainer.retrain(first, n -> {});

      // The same range spelt as offsets, from a fresh Retrainer, under a third name.
      String until = first.ranges().stream().map(r -> r.partition() + ":" + r.until()).collect(Collectors.joining(","));
      Retrainer.Plan same = new Retrainer(f.config).plan("m", 1, Retrainer.Until.parse(until), "m-b");
      assertThat(same.ranges()).isEqualTo(first.ranges());
      Retrainer.Result b = new Retrainer(f.config).retrain(same, n -> {});

      assertThat(a.trained()).isEqualTo(2_950);
      assertThat(a.published().getMetrics().get(OnlineLearner.REST_BATCHES)).as("the retrain rested at the end of its range").isPositive();
      assertThat(a.published().getMetrics().get(OnlineLearner.REST_OWED)).isZero();
      assertThat(b.published().getSha256()).as("two replays of one range, bit for bit").isEqualTo(a.published().getSha256());
      SnapshotCatalog catalog = new SnapshotCatalog(f.clients);
      Snapshot loaded = catalog.load("m-b", b.published().getVersion(), null); // verifies signature and SHA-256 of what was published
      assertThat(Snapshot.sha256(loaded.network())).isEqualTo(a.published().getSha256());

      // One partition stops 100 records earlier: another network. Published as m's next version, held, m's pointer untouched.
      Retrainer.Range r0 = first.ranges().stream().filter(r -> r.size() >= 100).findFirst().orElseThrow();
      String shorter = first.ranges().stream().map(r -> r.partition() + ":" + (r == r0 ? r.until() - 100 : r.until())).collect(Collectors.joining(","));
      Retrainer.Plan other = retrainer.plan("m", 1, Retrainer.Until.parse(shorter), "m");
      Retrainer.Result c = retrainer.retrain(other, n -> {});
      assertThat(c.trained()).isEqualTo(2_850);
      assertThat(c.published().getSha256()).isNotEqualTo(a.published().getSha256());
      ModelSnapshot held = c.published();
      assertThat(held.getVersion()).isEqualTo(2);
      assertThat(held.getParentVersion()).isEqualTo(1L);
      assertThat(held.getStatus()).isEqualTo(SnapshotStatus.HELD);
      assertThat(held.getHoldReason()).contains("retrained from m v1", "models rollback --to 2", "gate: ");
      assertThat(held.getOffsets().get(f.config.topic(dev.streamlearn.core.TopicName.TRAIN) + "-" + r0.partition())).isEqualTo(r0.until() - 100);
      assertThat(catalog.pointer("m").orElseThrow().getVersion()).as("a replay never replaces what is served").isEqualTo(1);
      assertThat(c.current()).isFalse();
    }
  }

  @Test
  void aRetrainIntoTheModelOfARunningUpdaterIsRefused() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("retrain-running", Map.of())) {
      f.produce(2_500);
      java.util.concurrent.Future<?> updater = f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      Retrainer retrainer = new Retrainer(f.config);
      assertThatThrownBy(() -> retrainer.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("is running").hasMessageContaining("--as");
      Retrainer.Plan asM2 = retrainer.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m2");
      assertThat(asM2.records()).as("under another name it may").isEqualTo(250);
      assertThat(retrainer.retrain(asM2, n -> {}).published().getVersion()).isEqualTo(1);

      // From another model --as m: m's updater numbers m's versions, so this is refused too, at the plan and at the publish.
      assertThatThrownBy(() -> retrainer.plan("m2", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("updater of model m is running");
      assertThatThrownBy(() -> retrainer.retrain(new Retrainer.Plan("m2", 1, "m", java.util.List.of()), n -> {}))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("updater of model m is running");
      assertThat(updater.isDone()).as("the running updater was left alone (not fenced)").isFalse();

      // Other training settings would not replay v1's training: refused unless forced; a default spelt out is no change.
      Map<String, String> raw = new java.util.TreeMap<>(f.config.rawValues());
      raw.put("updater.learning.rate", "0.5");
      Retrainer otherRate = new Retrainer(dev.streamlearn.core.StreamlearnConfig.of(raw));
      assertThatThrownBy(() -> otherRate.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m3"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not those m v1 was trained with").hasMessageContaining("--force-config");
      assertThat(otherRate.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m3", true).records()).isEqualTo(250);
      raw.put("updater.learning.rate", String.valueOf(dev.streamlearn.core.StreamlearnConfig.of(Map.of()).getDouble("updater.learning.rate")));
      assertThat(new Retrainer(dev.streamlearn.core.StreamlearnConfig.of(raw)).plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m3").records())
          .isEqualTo(250);
      assertThat(new SnapshotCatalog(f.clients).versions("m").get("m").values())
          .noneMatch(v -> v.getHoldReason() != null && v.getHoldReason().contains("retrained from"));
    }
  }

  @Test
  void aRangeWhoseStartWasDeletedFailsInsteadOfSkippingIt() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("retrain-retention", Map.of())) {
      f.produce(2_500);
      f.startUpdater();
      await().atMost(PATIENCE).until(() -> f.published().size() >= 1);
      f.close();
      f.produce(1_000);
      Retrainer retrainer = new Retrainer(f.config);
      Retrainer.Plan plan = retrainer.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m-r");
      Retrainer.Range r0 = plan.ranges().stream().filter(r -> r.size() >= 10).findFirst().orElseThrow();
      // Retention passes between the plan and the replay: the range's first 5 records are gone.
      try (org.apache.kafka.clients.admin.Admin admin = f.clients.admin()) {
        admin.deleteRecords(Map.of(new org.apache.kafka.common.TopicPartition(f.config.topic(dev.streamlearn.core.TopicName.TRAIN), r0.partition()),
            org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(r0.from() + 5))).all().get();
      }
      assertThatThrownBy(() -> retrainer.retrain(plan, n -> {})).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("now starts at " + (r0.from() + 5)).hasMessageContaining("cannot be replayed");
      assertThat(new SnapshotCatalog(f.clients).versions("m-r").getOrDefault("m-r", new java.util.TreeMap<>())).as("nothing published").isEmpty();
      assertThatThrownBy(() -> retrainer.plan("m", 1, new Retrainer.Until.Time(Long.MAX_VALUE), "m-r")).hasMessageContaining("cannot be replayed");
    }
  }

  @Test
  void theTrainingSettingsHashedAreSettings() {
    assertThat(dev.streamlearn.core.StreamlearnConfig.of(Map.of()).values().keySet()).containsAll(ModelUpdater.TRAINING_SETTINGS);
  }

  @Test
  void untilParsesOffsetsEpochAndIsoAndRefusesTheRest() {
    assertThat(Retrainer.Until.parse("0:1200, 1:1180")).isEqualTo(new Retrainer.Until.Offsets(Map.of(0, 1200L, 1, 1180L)));
    assertThat(Retrainer.Until.parse("1764460800000")).isEqualTo(new Retrainer.Until.Time(1764460800000L));
    assertThat(Retrainer.Until.parse("2025-11-30T00:00:00Z")).isEqualTo(new Retrainer.Until.Time(1764460800000L));
    assertThatThrownBy(() -> Retrainer.Until.parse("0:1,0:2")).hasMessageContaining("twice");
    assertThatThrownBy(() -> Retrainer.Until.parse("yesterday")).hasMessageContaining("PARTITION:OFFSET");
  }
}
