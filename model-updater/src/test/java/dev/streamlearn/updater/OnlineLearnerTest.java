package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.updater.metrics.Prequential;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training, evaluation and gating on plain records, as the updater drives them, without a broker. */
class OnlineLearnerTest {

  private static final double[][] CENTERS = {{2, 0, 0, 1}, {-2, 2, 0, -1}, {0, -2, 2, 0}};
  private static final List<String> LABELS = List.of("x", "y", "z");
  private final SplittableRandom rnd = new SplittableRandom(5);
  private long evalOffset;

  private static OnlineLearner learner(int batchSize) {
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "16"));
    return new OnlineLearner(ModelFactory.create(c, 4, 3), null, OnlineLearner.Lineage.EMPTY, LABELS, QualityGate.from(c), batchSize, 2000);
  }

  private double[] blob(int c) {
    double[] x = new double[4];
    for (int i = 0; i < 4; i++) {
      x[i] = CENTERS[c][i] + 0.6 * rnd.nextGaussian();
    }
    return x;
  }

  /** @param shift added to each training label: 1 teaches the wrong class everywhere (eval labels stay right) */
  private void feed(OnlineLearner l, int train, int eval, int shift) {
    for (int i = 0; i < train; i++) {
      int c = rnd.nextInt(3);
      l.learnOne(blob(c), (c + shift) % 3, 1.0, i % 4 == 0);
    }
    for (int i = 0; i < eval; i++) {
      int c = rnd.nextInt(3);
      l.evalOne(blob(c), c, (int) (evalOffset % 2), evalOffset / 2); // two partitions, read alternately
      evalOffset++;
    }
  }

  @Test
  void learnsPromotesAndHoldsAWorseHead() {
    OnlineLearner l = learner(32);
    feed(l, 1800, 300, 0);
    assertThat(l.trained()).isEqualTo(1800);
    assertThat(l.synthetic()).isEqualTo(450);
    OnlineLearner.Judgement first = l.judge(-1);
    assertThat(first.decision().promote()).isTrue();
    assertThat(first.decision().reason()).isEqualTo("first version");
    assertThat(first.metrics().get("roc_auc")).as("a separable stream").isGreaterThan(0.95);
    assertThat(first.metrics()).containsKeys("n", "accuracy", "f1.x", "recall.z").doesNotContainKey("current_roc_auc");
    l.promote();
    l.snapshotTaken();
    assertThat(l.trainedSinceSnapshot()).isZero();

    feed(l, 1800, 0, 1); // a batch with wrong labels
    OnlineLearner.Judgement second = l.judge(1);
    assertThat(second.decision().promote()).as(second.decision().reason()).isFalse();
    assertThat(second.decision().n()).isEqualTo(300);
    assertThat(second.metrics().get("roc_auc")).isLessThan(second.metrics().get("current_roc_auc"));
    assertThat(second.metrics().get("gate_ci_high")).isNegative();
  }

  @Test
  void eachSnapshotCarriesTheMeanTrainingLossOfItsInterval() {
    OnlineLearner l = learner(32);
    feed(l, 1800, 100, 0);
    double learnt = l.judge(-1).metrics().get("train_loss");
    assertThat(learnt).isPositive().isFinite();
    l.promote();
    l.snapshotTaken();
    assertThat(l.judge(1).metrics()).as("no fit since the snapshot").doesNotContainKey("train_loss");

    feed(l, 1800, 0, 1); // labels the network has learnt otherwise: a higher loss over the interval
    assertThat(l.judge(1).metrics().get("train_loss")).isGreaterThan(learnt);
  }

  @Test
  void judgeFitsWhatIsBufferedAndChangesNothingElse() {
    OnlineLearner l = learner(1000);
    feed(l, 500, 50, 0); // below one batch: nothing fitted yet
    double[][] probe = {blob(0), blob(1)};
    double[][] before = new Trainer(l.network()).predict(probe);
    OnlineLearner.Judgement j = l.judge(-1);
    assertThat(Arrays.deepEquals(before, new Trainer(l.network()).predict(probe))).as("the buffered records were fitted").isFalse();
    assertThat(j.metrics().get("n")).isEqualTo(50.0);
    assertThat(l.trainedSinceSnapshot()).as("until the snapshot is taken").isEqualTo(500);
    // Nothing was promoted: judged again, there is still no serving version to compare with.
    assertThat(l.judge(-1).decision().reason()).isEqualTo("first version");
  }

  @Test
  void restartDropsTheBufferedRecordsAndServesTheRestoredNetwork() {
    OnlineLearner l = learner(1000);
    feed(l, 300, 250, 0);
    OnlineLearner other = learner(1000);
    feed(other, 900, 0, 0);
    other.flush();
    l.restart(other.network().copy(), new OnlineLearner.Lineage(900, 10, other.judge(-1).metrics()));
    assertThat(l.trained()).isEqualTo(900);
    assertThat(l.synthetic()).isEqualTo(10);
    assertThat(l.trainedSinceSnapshot()).isZero();
    assertThat(l.prequential().n()).as("the prequential counts of the restored lineage: its 675 real records").isEqualTo(675);
    double[][] probe = {blob(2)};
    double[][] restored = new Trainer(l.network()).predict(probe);
    OnlineLearner.Judgement j = l.judge(4); // nothing buffered any more: the head is exactly the restored network
    assertThat(Arrays.deepEquals(restored, new Trainer(l.network()).predict(probe))).isTrue();
    assertThat(j.decision().promote()).isTrue();
    assertThat(j.decision().low()).as("head and serving are the same network").isZero();
    assertThat(j.decision().high()).isZero();
  }

  @Test
  void prequentialMetricsTestEachRealRecordBeforeLearningIt() {
    OnlineLearner l = learner(50);
    feed(l, 2000, 10, 0); // every fourth record synthetic: 1,500 real
    l.flush();
    assertThat(l.prequential().n()).isEqualTo(1500);
    Map<String, Double> m = l.judge(-1).metrics();
    assertThat(m.get("preq_n")).isEqualTo(1500.0);
    assertThat(m.get("preq_count.x") + m.get("preq_count.y") + m.get("preq_count.z")).isEqualTo(1500.0);
    // Tested before training: the first batches meet an untrained network, so it scores below the window's
    // accuracy of the trained one, yet well above chance on a separable stream.
    assertThat(m.get("preq_accuracy")).isLessThan(m.get("accuracy")).isGreaterThan(0.8);
    assertThat(m.get("preq_balanced_accuracy")).isGreaterThan(0.8);
    assertThat(m.get("preq_log_loss")).isPositive();
    // A learner continuing from this snapshot's metrics carries the same counts on.
    OnlineLearner next = new OnlineLearner(l.network().copy(), null, new OnlineLearner.Lineage(2000, 500, m), LABELS,
        QualityGate.from(StreamlearnConfig.of(Map.of())), 50, 100);
    assertThat(next.prequential().toMap()).isEqualTo(l.prequential().toMap());
  }

  @Test
  void withAveragingThePrequentialTestScoresTheAverageBeforeTheBatchIsLearnt() {
    // A reference Trainer from the same seed tests each mini-batch on the average, then fits it: the learner's
    // prequential state must be the same, bit for bit (a test after the step, or on the raw network, would differ).
    StreamlearnConfig c = StreamlearnConfig.of(Map.of("updater.hidden.layers", "16", "updater.wide", "true"));
    OnlineLearner l = new OnlineLearner(ModelFactory.create(c, 4, 3), null, OnlineLearner.Lineage.EMPTY, LABELS, QualityGate.from(c), 32, 100, 0.9);
    Trainer reference = new Trainer(ModelFactory.create(c, 4, 3), 0.9);
    Prequential expected = new Prequential(LABELS);
    for (int b = 0; b < 40; b++) {
      double[][] x = new double[32][];
      int[] y = new int[32];
      for (int i = 0; i < 32; i++) {
        y[i] = rnd.nextInt(3);
        x[i] = blob(y[i]);
        l.learnOne(x[i], y[i], 1.0, false);
      }
      double[][] p = reference.predict(x);
      for (int i = 0; i < 32; i++) {
        expected.update(y[i], p[i]);
      }
      reference.fit(x, y, null);
    }
    assertThat(l.prequential().n()).isEqualTo(40 * 32);
    assertThat(l.prequential().toMap()).isEqualTo(expected.toMap());
    double[][] probe = {blob(0), blob(1), blob(2)};
    assertThat(Arrays.deepEquals(new Trainer(l.served()).predict(probe), reference.predict(probe))).as("the same average at the end").isTrue();
  }

  @Test
  void theMetricsSayWhichEvalRecordsTheyWereJudgedOn() {
    OnlineLearner l = new OnlineLearner(ModelFactory.create(StreamlearnConfig.of(Map.of("updater.hidden.layers", "4")), 4, 3), null,
        OnlineLearner.Lineage.EMPTY, LABELS, QualityGate.from(StreamlearnConfig.of(Map.of())), 10, 100);
    feed(l, 10, 250, 0); // offsets 0..124 on partitions 0 and 1; the window keeps the last 100: offsets 75..124 of each
    Map<String, Double> m = l.judge(-1).metrics();
    assertThat(m.get("n")).isEqualTo(100.0);
    assertThat(m).containsEntry("eval_offset_from.0", 75.0).containsEntry("eval_offset_to.0", 125.0)
        .containsEntry("eval_offset_from.1", 75.0).containsEntry("eval_offset_to.1", 125.0);
  }
}
