package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.updater.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;

/** Every metric against values worked out by hand (the arithmetic is in the comments). */
class ClassificationMetricsTest {

  @Test
  void binaryCase() {
    // P(class 1) = 0.1, 0.4, 0.35, 0.8 for labels 0, 0, 1, 1: the classic ROC example, AUC = 3/4.
    int[] y = {0, 0, 1, 1};
    double[][] p = {{0.9, 0.1}, {0.6, 0.4}, {0.65, 0.35}, {0.2, 0.8}};
    ClassificationMetrics m = ClassificationMetrics.compute(y, p, 2);
    // predictions 0, 0, 0, 1: class 0 TP 2 FP 1 -> P 2/3 R 1 F1 0.8; class 1 TP 1 FN 1 -> P 1 R 1/2 F1 2/3
    assertThat(m.accuracy()).isCloseTo(0.75, within(1e-12));
    assertThat(m.precision()).containsExactly(new double[] {2.0 / 3, 1.0}, within(1e-12));
    assertThat(m.recall()).containsExactly(new double[] {1.0, 0.5}, within(1e-12));
    assertThat(m.f1()).containsExactly(new double[] {0.8, 2.0 / 3}, within(1e-12));
    assertThat(m.macroF1()).isCloseTo((0.8 + 2.0 / 3) / 2, within(1e-12));
    assertThat(m.balancedAccuracy()).isCloseTo(0.75, within(1e-12));
    assertThat(m.macroPrecision()).isCloseTo((2.0 / 3 + 1) / 2, within(1e-12));
    assertThat(m.rocAuc()).isCloseTo(0.75, within(1e-12));
    // -(ln .9 + ln .6 + ln .35 + ln .8) / 4
    assertThat(m.logLoss()).isCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, within(1e-12));
    assertThat(m.logLoss()).isCloseTo(0.4722880, within(1e-6));
  }

  @Test
  void multiclassOneVsRestWithTies() {
    int[] y = {0, 1, 2, 0, 1, 2};
    double[][] p = {
        {0.7, 0.2, 0.1},
        {0.2, 0.5, 0.3},
        {0.1, 0.3, 0.6},
        {0.3, 0.4, 0.3},
        {0.6, 0.3, 0.1},
        {0.2, 0.2, 0.6}};
    ClassificationMetrics m = ClassificationMetrics.compute(y, p, 3);
    // AUC class 0: 7/8; class 1: (4 + 2.5)/8 with one tie at 0.3; class 2: 8/8.
    assertThat(m.rocAuc()).isCloseTo((0.875 + 0.8125 + 1.0) / 3, within(1e-12));
    // predictions 0, 1, 2, 1, 0, 2
    assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(m.f1()).containsExactly(new double[] {0.5, 0.5, 1.0}, within(1e-12));
    assertThat(m.macroF1()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.balancedAccuracy()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.support()).containsExactly(2, 2, 2);
  }

  @Test
  void perfectAndDegenerateCases() {
    ClassificationMetrics perfect = ClassificationMetrics.compute(new int[] {0, 1}, new double[][] {{1, 0}, {0, 1}}, 2);
    assertThat(perfect.macroF1()).isEqualTo(1.0);
    assertThat(perfect.rocAuc()).isEqualTo(1.0);
    assertThat(perfect.logLoss()).isCloseTo(0.0, within(1e-12));
    // One class only: AUC undefined, the absent class is left out of macro averages.
    ClassificationMetrics oneClass = ClassificationMetrics.compute(new int[] {0, 0}, new double[][] {{0.9, 0.1}, {0.4, 0.6}}, 2);
    assertThat(oneClass.rocAuc()).isNaN();
    assertThat(oneClass.macroRecall()).isCloseTo(0.5, within(1e-12));
  }
}
