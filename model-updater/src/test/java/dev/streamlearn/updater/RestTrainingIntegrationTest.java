package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ModelSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training at rest on a real broker: a small data set that triggers no snapshot by size or time gets one once the stream
 * pauses, made of epochs over the replay reservoir; a restarted updater pays only what new records owe.
 */
class RestTrainingIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void aPauseInTheStreamMakesARestedVersionAndARestartOwesOnlyWhatIsNew() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("rest", Map.of("updater.rest.epochs", "30", "updater.rest.idle.ms", "500"))) {
      f.produce(300); // 270 training records: no snapshot by size (2,000) or time (600 s)
      UpdaterFixture.Instance first = f.startSeparateUpdater();
      await().atMost(PATIENCE).until(() -> published(first).size() >= 1);
      ModelSnapshot v1 = published(first).get(0);
      assertThat(v1.getTrainedRecords()).isEqualTo(270);
      Map<String, Double> m1 = v1.getMetrics();
      assertThat(m1.get(OnlineLearner.REST_OWED)).isZero();
      assertThat(m1.get(OnlineLearner.REST_BATCHES)).as("epochs at rest, in mini-batches of 64").isPositive();
      if (m1.get(OnlineLearner.REST_STOPPED) == 0) { // else the held-out records stopped it early, at its best point
        assertThat(m1.get(OnlineLearner.FITTED_SAMPLES)).as("30 fits per record learnt").isGreaterThanOrEqualTo(30.0 * 270);
      }
      first.stop();
      assertThat(published(first)).as("one rested version, nothing owed after it").hasSize(1);

      f.produce(100); // 90 more, all there before the updater starts: two bursts could rest between them
      UpdaterFixture.Instance second = f.startSeparateUpdater();
      await().atMost(PATIENCE).until(() -> published(second).size() >= 1);
      ModelSnapshot v2 = published(second).get(0);
      assertThat(v2.getTrainedRecords()).isEqualTo(360);
      assertThat(v2.getMetrics().get(OnlineLearner.REST_OWED)).isZero();
      // The new records owe 30 fits each (fewer the replays they had): not the 360 records' 30 fits again (about 150 mini-batches).
      assertThat(v2.getMetrics().get(OnlineLearner.REST_BATCHES)).isPositive().isLessThanOrEqualTo(30.0 * 90 / 64 + 1);
      assertThat(v2.getMetrics().get(OnlineLearner.FITTED_SAMPLES)).as("the lineage's count goes on")
          .isGreaterThan(m1.get(OnlineLearner.FITTED_SAMPLES) + 90);
      second.stop();
    }
  }

  private static List<ModelSnapshot> published(UpdaterFixture.Instance u) {
    return u.events().stream().filter(e -> e instanceof SnapshotEvent.Published).map(e -> ((SnapshotEvent.Published) e).meta()).toList();
  }
}
