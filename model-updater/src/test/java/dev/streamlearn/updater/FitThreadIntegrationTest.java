package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.core.StreamlearnConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code updater.fit.thread} against a real broker: the same records give the same versions, bit for bit, with the hand-off or without. */
class FitThreadIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(180);

  @Test
  void anUpdaterWithAFitThreadPublishesTheNetworksOneWithoutPublishes() throws Exception {
    // One partition per topic: both updaters then learn the training records in the same order.
    try (UpdaterFixture f = new UpdaterFixture("fitthread", Map.of("topic.partitions", "1", "updater.snapshot.every.records", "900"))) {
      f.produce(3_000, false, 2); // 2,700 training records carrying 2 synthetic ones each: 8,100 to learn, 300 eval records
      List<ModelSnapshot> without = train(f, "without", false);
      List<ModelSnapshot> with = train(f, "with", true);
      assertThat(with).hasSameSizeAs(without).hasSize(9);
      for (int i = 0; i < with.size(); i++) {
        ModelSnapshot a = without.get(i);
        ModelSnapshot b = with.get(i);
        assertThat(b.getTrainedRecords()).isEqualTo(a.getTrainedRecords()).isEqualTo(900L * (i + 1));
        assertThat(b.getSyntheticRecords()).isEqualTo(a.getSyntheticRecords());
        assertThat(b.getSha256()).as("v%d's network", b.getVersion()).isEqualTo(a.getSha256());
        assertThat(b.getMetrics().get("preq_n")).as("each real record tested before it was fitted").isEqualTo(a.getMetrics().get("preq_n"))
            .isEqualTo(300.0 * (i + 1));
        assertThat(b.getMetrics().get(OnlineLearner.FITTED_SAMPLES)).isEqualTo(a.getMetrics().get(OnlineLearner.FITTED_SAMPLES));
        assertThat(b.getMetrics().get("train_loss")).isEqualTo(a.getMetrics().get("train_loss"));
      }
      assertThat(with.get(with.size() - 1).getMetrics().get("macro_f1")).isGreaterThan(0.9);
    }
  }

  /** Runs model {@code model}'s updater until a version covers all 8,100 records; its versions, and no fit thread left behind. */
  private static List<ModelSnapshot> train(UpdaterFixture f, String model, boolean fitThread) throws Exception {
    List<SnapshotEvent> events = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    StreamlearnConfig config = f.config.with(Map.of(StreamlearnConfig.MODEL_NAME, model, StreamlearnConfig.FIT_THREAD, String.valueOf(fitThread)));
    Throwable[] failure = new Throwable[1];
    Thread updater = new Thread(() -> {
      try (ModelUpdater u = new ModelUpdater(config, events::add)) {
        u.run(stop);
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, "updater-" + model);
    updater.start();
    try {
      await().atMost(PATIENCE).until(() -> failure[0] != null
          || events.stream().anyMatch(e -> e instanceof SnapshotEvent.Published p && p.meta().getTrainedRecords() == 8_100));
      assertThat(failure[0]).isNull();
      Optional<Thread> fit = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(ModelUpdater.FIT_THREAD_PREFIX + model)).findFirst();
      assertThat(fit.isPresent()).as("a fit thread while it runs").isEqualTo(fitThread);
      stop.set(true);
      updater.join(60_000);
      assertThat(updater.isAlive()).isFalse();
      if (fit.isPresent()) {
        fit.get().join(30_000);
        assertThat(fit.get().isAlive()).as("the fit thread ends with the updater").isFalse();
      }
    } finally {
      stop.set(true);
    }
    return events.stream().filter(e -> e instanceof SnapshotEvent.Published).map(e -> ((SnapshotEvent.Published) e).meta()).toList();
  }
}
