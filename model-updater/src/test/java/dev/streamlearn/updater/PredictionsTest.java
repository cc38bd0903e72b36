package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlearn.updater.metrics.ClassificationMetrics;
import dev.streamlearn.updater.metrics.Predictions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A bootstrap resample given as counts per record scores exactly like the expanded sample. */
class PredictionsTest {

  @Property(tries = 200)
  void countsEqualRepeatedRecords(@ForAll @IntRange(min = 2, max = 6) int classes, @ForAll @IntRange(min = 1, max = 60) int n,
      @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] y = new int[n];
    double[][] p = new double[n][classes];
    int[] counts = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextInt(classes);
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        p[i][c] = rnd.nextInt(4); // coarse values: many ties
        sum += p[i][c];
      }
      for (int c = 0; c < classes; c++) {
        p[i][c] = sum == 0 ? 1.0 / classes : p[i][c] / sum;
      }
      counts[i] = rnd.nextInt(4);
    }
    List<Integer> expandedY = new ArrayList<>();
    List<double[]> expandedP = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < counts[i]; k++) {
        expandedY.add(y[i]);
        expandedP.add(p[i]);
      }
    }
    ClassificationMetrics weighted = Predictions.of(y, p, classes).metrics(counts);
    ClassificationMetrics expanded = ClassificationMetrics.compute(expandedY.stream().mapToInt(Integer::intValue).toArray(),
        expandedP.toArray(double[][]::new), classes);
    assertSame(weighted.accuracy(), expanded.accuracy());
    assertSame(weighted.balancedAccuracy(), expanded.balancedAccuracy());
    assertSame(weighted.macroPrecision(), expanded.macroPrecision());
    assertSame(weighted.macroF1(), expanded.macroF1());
    assertSame(weighted.rocAuc(), expanded.rocAuc());
    assertSame(weighted.logLoss(), expanded.logLoss());
    assertThat(weighted.support()).containsExactly(expanded.support());
  }

  private static void assertSame(double a, double b) {
    if (Double.isNaN(b)) {
      assertThat(a).isNaN();
    } else {
      assertThat(a).isCloseTo(b, within(1e-12));
    }
  }
}
