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
    // One true class only: AUC undefined. Class 1 is predicted once, so (scikit-learn's semantics) it counts in the
    // macro averages with recall 0: macro recall (1/2 + 0) / 2. Balanced accuracy only counts true classes: 1/2.
    // (Before scikit-learn's semantics this test expected macro recall 0.5: the predicted-only class was left out.)
    ClassificationMetrics oneClass = ClassificationMetrics.compute(new int[] {0, 0}, new double[][] {{0.9, 0.1}, {0.4, 0.6}}, 2);
    assertThat(oneClass.rocAuc()).isNaN();
    assertThat(oneClass.macroRecall()).isCloseTo(0.25, within(1e-12));
    assertThat(oneClass.balancedAccuracy()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void aClassPredictedButAbsentFromTheLabelsCountsWithF1Zero() {
    // The example: y = [0,0,1,1], predicted [0,2,1,1]. F1: class 0 2/3, class 1 1, class 2 0 -> 5/9 (was 5/6).
    double[][] p = {{0.9, 0.05, 0.05}, {0.1, 0.1, 0.8}, {0.1, 0.8, 0.1}, {0.2, 0.7, 0.1}};
    ClassificationMetrics m = ClassificationMetrics.compute(new int[] {0, 0, 1, 1}, p, 3);
    assertThat(m.macroF1()).isCloseTo(5.0 / 9, within(1e-12));
    // AUC: class 2 has no true record and is left out. Class 1: positives 0.8, 0.7 above negatives 0.05, 0.1 -> 1.
    // Class 0: positives 0.9, 0.1 against negatives 0.1, 0.2 -> (2 + 1/2 for the tie + 0) / 4.
    assertThat(m.rocAuc()).isCloseTo((1.0 + 2.5 / 4) / 2, within(1e-12));
  }
}
