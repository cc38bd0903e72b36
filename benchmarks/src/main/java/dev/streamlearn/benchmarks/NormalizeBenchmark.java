package dev.streamlearn.benchmarks;

import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.Scaler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The normalize stage per record: update the partition's running moments, then z-score (with clipping) the record. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NormalizeBenchmark {

  private RunningStats stats;
  private Scaler scaler;
  private double[][] xs;
  private int next;

  @Setup
  public void setUp() {
    stats = new RunningStats(6);
    scaler = new Scaler(Scaler.Method.ZSCORE, 5.0);
    SplittableRandom rnd = new SplittableRandom(2);
    xs = new double[1024][];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = Fixtures.gaussian(rnd, 6);
      stats.update(xs[i]);
    }
  }

  @Benchmark
  public void update() {
    stats.update(xs[next++ & 1023]);
  }

  @Benchmark
  public double[] transform() {
    return scaler.transform(stats, xs[next++ & 1023]);
  }
}
