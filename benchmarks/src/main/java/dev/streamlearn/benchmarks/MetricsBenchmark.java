package dev.streamlearn.benchmarks;

import dev.streamlearn.updater.metrics.ClassificationMetrics;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Scoring one candidate on the eval window: every metric of a snapshot (one-vs-rest AUC sorts once per class). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MetricsBenchmark {

  @Param({"2000"})
  public int window;

  @Param({"3", "26"})
  public int classes;

  private int[] labels;
  private double[][] probabilities;

  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(4);
    labels = new int[window];
    probabilities = new double[window][classes];
    for (int i = 0; i < window; i++) {
      labels[i] = rnd.nextInt(classes);
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        probabilities[i][c] = rnd.nextDouble() + (c == labels[i] ? 1.0 : 0.0);
        sum += probabilities[i][c];
      }
      for (int c = 0; c < classes; c++) {
        probabilities[i][c] /= sum;
      }
    }
  }

  @Benchmark
  public ClassificationMetrics compute() {
    return ClassificationMetrics.compute(labels, probabilities, classes);
  }
}
