package dev.streamlearn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.client.snapshot.SnapshotSigner;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A live client follows model.current on a real broker: new versions, rollbacks, roll-forwards, and versions that fail to load. */
class CurrentModelFollowIntegrationTest {

  private static final Map<String, Double> EVENT = Map.of("amount", 0.7, "hour", -1.3);

  private static StreamlearnConfig config(String test) {
    return RealKafka.config(test, Map.of("snapshot.signing.key", TestModels.KEY));
  }

  @Test
  void followsNewVersionsRollbackAndRollForward() throws Exception {
    StreamlearnConfig config = config("follow");
    TestModels models = new TestModels(config, "m");
    models.snapshot(1);
    models.snapshot(2);
    models.point(1, "first");
    models.point(2, "promoted");
    List<String> swaps = new CopyOnWriteArrayList<>();
    try (CurrentModel client = new CurrentModel(models.clients(), "m")) {
      client.addListener((from, to) -> swaps.add(from + "->" + to));
      client.follow();
      // Starting late, it loads the current version once, not every version the topic remembers.
      assertThat(client.awaitVersion(Duration.ofSeconds(30))).isEqualTo(2);
      // Listeners run after the swap is visible: wait for the call rather than race it.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(swaps).containsExactly("-1->2"));
      Map<String, Double> byV2 = client.predict(EVENT);
      assertThat(client.predictAll(List.of(EVENT)).get(0).version()).isEqualTo(2);

      long rolledBackAt = System.nanoTime();
      models.point(1, "rollback to v1");
      await().atMost(Duration.ofSeconds(10)).until(() -> client.version() == 1);
      long rollbackMs = (System.nanoTime() - rolledBackAt) / 1_000_000;
      Prediction p = client.predictAll(List.of(EVENT)).get(0);
      assertThat(p.version()).isEqualTo(1);
      assertThat(p.probabilities()).isNotEqualTo(byV2); // another network answers
      assertThat(rollbackMs).as("pointer write to the rolled-back version serving").isLessThan(5_000);

      models.snapshot(3);
      models.point(3, "promoted");
      await().atMost(Duration.ofSeconds(10)).until(() -> client.version() == 3);
      models.point(2, "roll forward to v2");
      await().atMost(Duration.ofSeconds(10)).until(() -> client.version() == 2);
      assertThat(client.predict(EVENT)).isEqualTo(byV2);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(swaps).containsExactly("-1->2", "2->1", "1->3", "3->2"));
      assertThat(client.loadFailures()).isZero();
    }
  }

  @Test
  void aVersionThatFailsToVerifyLeavesThePreviousOneServing() throws Exception {
    StreamlearnConfig config = config("follow-bad");
    TestModels models = new TestModels(config, "m");
    models.snapshot(1);
    models.point(1, "first");
    // v2 signed with another key: its pointer verifies, its snapshot does not.
    models.snapshot(2, TestModels.network(2), new SnapshotSigner("another-key-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8)));
    List<Long> failures = new CopyOnWriteArrayList<>();
    try (CurrentModel client = new CurrentModel(models.clients(), "m")) {
      client.addListener(new VersionListener() {
        @Override
        public void onSwap(long previous, long current) {}

        @Override
        public void onLoadFailure(long version, RuntimeException error) {
          failures.add(version);
        }
      });
      client.follow();
      assertThat(client.awaitVersion(Duration.ofSeconds(30))).isEqualTo(1);
      models.point(2, "promoted");
      // The counter moves before listeners are told: wait for both.
      await().atMost(Duration.ofSeconds(10)).until(() -> client.loadFailures() == 1 && !failures.isEmpty());
      assertThat(failures).containsExactly(2L);
      assertThat(client.version()).isEqualTo(1);
      assertThat(client.predictAll(List.of(EVENT)).get(0).version()).isEqualTo(1);
      // The next good version is taken as usual.
      models.snapshot(3);
      models.point(3, "promoted");
      await().atMost(Duration.ofSeconds(10)).until(() -> client.version() == 3);
      assertThat(client.loadFailures()).isEqualTo(1); // a refused snapshot is not retried
    }
  }

  @Test
  void waitingForAFirstVersionTimesOutWithAClearError() throws Exception {
    StreamlearnConfig config = config("follow-none");
    TestModels models = new TestModels(config, "m");
    try (CurrentModel client = new CurrentModel(models.clients(), "nothing-yet").follow()) {
      assertThatThrownBy(() -> client.awaitVersion(Duration.ofMillis(1500)))
          .isInstanceOf(CurrentModel.NoModelException.class)
          .hasMessageContaining("no version of model nothing-yet loaded within 1500 ms")
          .hasMessageContaining("no pointer for it on");
      assertThatThrownBy(() -> client.predict(EVENT)).isInstanceOf(CurrentModel.NoModelException.class);
    }
  }

  @Test
  void followingWithoutAKeyFailsAtOnce() {
    StreamlearnConfig config = RealKafka.config("follow-nokey", Map.of("snapshot.signing.key.file", "/nonexistent/key"));
    CurrentModel client = new CurrentModel(new dev.streamlearn.core.KafkaClients(config), "m");
    assertThatThrownBy(client::follow).hasMessageContaining("no snapshot signing key");
  }
}
