package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.updater.metrics.Predictions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The gate's decisions on predictions made up for the purpose: no network, no broker. */
class QualityGateTest {

  private static final int CLASSES = 3;

  private static QualityGate gate(GateMetric metric) {
    return new QualityGate(true, metric, 0.95, 200, 0.0, 1000, 42);
  }

  /** Labels 0..2 with a 70/20/10 imbalance. */
  private static int[] labels(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double u = rnd.nextDouble();
      y[i] = u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
    }
    return y;
  }

  /**
   * Probabilities from a softmax of (skill on the true class + Gaussian noise): skill 0 is chance, 3 separates the
   * classes well. The same seed gives the same noise, so two skills differ only by the skill.
   */
  private static double[][] model(int[] y, double skill, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] p = new double[y.length][CLASSES];
    for (int i = 0; i < y.length; i++) {
      double sum = 0;
      for (int c = 0; c < CLASSES; c++) {
        double z = (c == y[i] ? skill : 0) + gaussian(rnd);
        p[i][c] = Math.exp(z);
        sum += p[i][c];
      }
      for (int c = 0; c < CLASSES; c++) {
        p[i][c] /= sum;
      }
    }
    return p;
  }

  private static double gaussian(SplittableRandom rnd) {
    return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  private static Predictions predictions(int[] y, double[][] p) {
    return Predictions.of(y, p, CLASSES);
  }

  @ParameterizedTest
  @EnumSource(GateMetric.class)
  void identicalModelsPromote(GateMetric metric) {
    int[] y = labels(500, 1);
    double[][] p = model(y, 1.5, 2);
    QualityGate.Decision d = gate(metric).decide(predictions(y, p), predictions(y, p), 3);
    assertThat(d.promote()).isTrue();
    assertThat(d.judged()).isTrue();
    assertThat(d.low()).isZero();
    assertThat(d.high()).isZero();
    assertThat(d.reason()).contains(metric.key()).contains("v3's").contains("500 eval records").contains("not worse with 95% confidence");
  }

  @ParameterizedTest
  @EnumSource(GateMetric.class)
  void aClearlyWorseModelIsHeldOnEveryMetric(GateMetric metric) {
    int[] y = labels(500, 3);
    Predictions good = predictions(y, model(y, 3.0, 4));
    Predictions bad = predictions(y, model(y, 0.5, 5));
    QualityGate.Decision held = gate(metric).decide(bad, good, 7);
    assertThat(held.promote()).as(held.reason()).isFalse();
    if (metric.higherIsBetter()) {
      assertThat(held.candidate()).isLessThan(held.current());
      assertThat(held.high()).isNegative();
    } else { // log loss: lower is better, a worse model's interval lies above 0
      assertThat(held.candidate()).isGreaterThan(held.current());
      assertThat(held.low()).isPositive();
    }
    assertThat(held.reason()).startsWith(metric.key() + " ").contains(String.format(java.util.Locale.ROOT, "%.4f vs v7's %.4f", held.candidate(), held.current()))
        .contains("on the same 500 eval records").contains("95% CI [").endsWith(": worse");
    // The other way round, the better model is promoted.
    assertThat(gate(metric).decide(good, bad, 7).promote()).isTrue();
  }

  @Test
  void aSlightlyWorseModelWithinTheNoiseIsPromoted() {
    int[] y = labels(400, 6);
    // Two models of equal skill that err on different records; on these records one of them scores a little lower.
    Predictions a = predictions(y, model(y, 1.5, 7));
    Predictions b = predictions(y, model(y, 1.5, 8));
    int[] once = new int[y.length];
    java.util.Arrays.fill(once, 1);
    boolean aLower = a.rocAuc(once) < b.rocAuc(once);
    QualityGate.Decision d = gate(GateMetric.ROC_AUC).decide(aLower ? a : b, aLower ? b : a, 2);
    assertThat(d.candidate()).as("slightly worse on these records").isLessThan(d.current());
    assertThat(d.low()).isNegative();
    assertThat(d.high()).as("but the interval reaches past 0").isPositive();
    assertThat(d.promote()).as(d.reason()).isTrue();
  }

  @Test
  void fewerThanMinRecordsIsNotJudgedAndPromotes() {
    int[] y = labels(199, 9);
    QualityGate.Decision d = gate(GateMetric.ROC_AUC).decide(predictions(y, model(y, 0.0, 10)), predictions(y, model(y, 3.0, 11)), 1);
    assertThat(d.promote()).isTrue();
    assertThat(d.judged()).isFalse();
    assertThat(d.reason()).isEqualTo("not judged: 199 eval records < updater.gate.min.records 200");
    int[] enough = labels(200, 9);
    assertThat(gate(GateMetric.ROC_AUC).decide(predictions(enough, model(enough, 0.0, 10)), predictions(enough, model(enough, 3.0, 11)), 1).promote())
        .as("at min.records it judges").isFalse();
  }

  @Test
  void firstVersionNoEvalDataAndAGateSwitchedOffPromote() {
    int[] y = labels(300, 12);
    Predictions bad = predictions(y, model(y, 0.0, 13));
    Predictions good = predictions(y, model(y, 3.0, 14));
    assertThat(gate(GateMetric.ROC_AUC).decide(bad, null, -1).reason()).isEqualTo("first version");
    assertThat(gate(GateMetric.ROC_AUC).decide(null, good, 1).promote()).isTrue();
    assertThat(new QualityGate(false, GateMetric.ROC_AUC, 0.95, 200, 0, 1000, 42).decide(bad, good, 1).promote()).isTrue();
  }

  @Test
  void aToleranceLetsASmallSignificantWorseningPass() {
    int[] y = labels(2000, 15);
    Predictions current = predictions(y, model(y, 2.0, 16));
    Predictions candidate = predictions(y, model(y, 1.8, 16)); // same noise, a little less skill
    QualityGate.Decision strict = gate(GateMetric.ROC_AUC).decide(candidate, current, 1);
    assertThat(strict.promote()).as(strict.reason()).isFalse();
    double worsening = strict.current() - strict.candidate();
    QualityGate lenient = new QualityGate(true, GateMetric.ROC_AUC, 0.95, 200, 2 * worsening, 1000, 42);
    assertThat(lenient.decide(candidate, current, 1).promote()).isTrue();
  }

  @Test
  void theDecisionIsAFunctionOfTheRecords() {
    int[] y = labels(300, 17);
    Predictions a = predictions(y, model(y, 1.0, 18));
    Predictions b = predictions(y, model(y, 1.2, 19));
    QualityGate.Decision first = gate(GateMetric.BALANCED_ACCURACY).decide(a, b, 1);
    QualityGate.Decision second = gate(GateMetric.BALANCED_ACCURACY).decide(a, b, 1);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void anUndefinedMetricIsNotJudged() {
    int[] y = new int[300]; // one class only: no AUC
    QualityGate.Decision d = gate(GateMetric.ROC_AUC).decide(predictions(y, model(y, 0.0, 20)), predictions(y, model(y, 3.0, 21)), 1);
    assertThat(d.promote()).isTrue();
    assertThat(d.judged()).isFalse();
    assertThat(d.reason()).contains("roc_auc undefined");
  }
}
