package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The updater's hand-off to a fit thread ({@link OnlineLearner#withFitThread}): a learner that fits on it must learn,
 * count, judge and serialize exactly what one fitting on the caller's thread does, whatever the caller does in between.
 */
class FitThreadTest {

  private static final List<String> LABELS = List.of("x", "y", "z");
  private static final StreamlearnConfig CONFIG = StreamlearnConfig.of(Map.of("updater.hidden.layers", "16"));

  /** As the updater builds it: replay, averaging and training at rest on. */
  private static OnlineLearner learner(int batchSize) {
    return new OnlineLearner(ModelFactory.create(CONFIG, 4, 3), null, OnlineLearner.Lineage.EMPTY, LABELS, QualityGate.from(CONFIG), batchSize,
        500, 0.99)
        .withReplay(new ReplayBuffer(400, 7), 2)
        .withRest(new OnlineLearner.Rest(5, 300));
  }

  private static double[] record(SplittableRandom rnd, int label) {
    double[] x = new double[4];
    for (int i = 0; i < 4; i++) {
      x[i] = (i == label ? 2 : 0) + rnd.nextGaussian();
    }
    return x;
  }

  /**
   * Random sequences of what the updater does (records to learn and to evaluate, judgements, promotions, snapshots,
   * rests, a rollback's restart), each applied to both learners: at every judgement and at the end they agree bit for bit.
   */
  @Test
  void aLearnerWithAFitThreadLearnsBitForBitWhatTheCallersThreadLearns() {
    for (long seed = 1; seed <= 4; seed++) {
      SplittableRandom ops = new SplittableRandom(seed);
      SplittableRandom data = new SplittableRandom(seed * 31);
      int batchSize = 8 + ops.nextInt(40);
      OnlineLearner here = learner(batchSize);
      long judged = 0;
      try (OnlineLearner threaded = learner(batchSize).withFitThread("fit-test-" + seed, 42)) {
        long version = -1;
        for (int step = 0; step < 4000; step++) {
          int op = ops.nextInt(1000);
          if (op < 850) {
            int label = data.nextInt(3);
            double[] x = record(data, label);
            boolean synthetic = data.nextInt(5) == 0;
            double weight = data.nextInt(10) == 0 ? 2.0 : 1.0;
            here.learnOne(x, label, weight, synthetic);
            threaded.learnOne(x.clone(), label, weight, synthetic);
          } else if (op < 980) {
            int label = data.nextInt(3);
            double[] x = record(data, label);
            here.evalOne(x, label, 0, step);
            threaded.evalOne(x.clone(), label, 0, step);
          } else if (op < 993) {
            OnlineLearner.Judgement a = here.judge(version);
            OnlineLearner.Judgement b = threaded.judge(version);
            assertThat(b.metrics()).as("seed %d, step %d", seed, step).isEqualTo(a.metrics());
            assertThat(b.decision()).isEqualTo(a.decision());
            judged++;
            if (a.decision().promote()) {
              here.promote();
              threaded.promote();
              version = step;
            }
            here.snapshotTaken();
            threaded.snapshotTaken();
          } else if (op < 999) {
            assertThat(threaded.restOwed()).isEqualTo(here.restOwed());
            assertThat(threaded.restStep(3)).isEqualTo(here.restStep(3));
          } else {
            OnlineLearner.Lineage lineage = new OnlineLearner.Lineage(here.trained(), here.synthetic(), here.judge(version).metrics());
            threaded.judge(version);
            here.restart(here.served().copy(), lineage);
            threaded.restart(threaded.served().copy(), lineage);
          }
          assertThat(threaded.trained()).isEqualTo(here.trained());
          assertThat(threaded.trainedSinceSnapshot()).isEqualTo(here.trainedSinceSnapshot());
        }
        assertThat(threaded.judge(version).metrics()).isEqualTo(here.judge(version).metrics());
        assertThat(threaded.prequential().toMap()).isEqualTo(here.prequential().toMap());
        assertThat(threaded.network().model().params()).isEqualTo(here.network().model().params());
        assertThat(threaded.serialize()).as("the snapshot's bytes").isEqualTo(here.serialize());
      }
      assertThat(judged).as("seed %d judged along the way", seed).isPositive();
    }
  }

  @Test
  void aFitThatFailsOnTheFitThreadFailsTheCallerAtItsNextWait() {
    try (OnlineLearner l = learner(4).withFitThread("fit-test-failure", 42)) {
      SplittableRandom rnd = new SplittableRandom(3);
      for (int i = 0; i < 4; i++) {
        l.learnOne(new double[] {rnd.nextGaussian(), 1, 2}, 0, 1.0, false); // three features for a network of four
      }
      assertThatThrownBy(l::flush).isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void closingTheLearnerEndsItsFitThread() throws InterruptedException {
    OnlineLearner l = learner(4).withFitThread("fit-test-close", 42);
    SplittableRandom rnd = new SplittableRandom(4);
    for (int i = 0; i < 40; i++) {
      int label = rnd.nextInt(3);
      l.learnOne(record(rnd, label), label, 1.0, false);
    }
    Thread fit = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("fit-test-close")).findFirst().orElseThrow();
    l.close();
    fit.join(30_000);
    assertThat(fit.isAlive()).isFalse();
  }
}
