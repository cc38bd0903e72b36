package dev.streamlearn.benchmarks;

import dev.streamlearn.streams.rebalance.ClassBalance;
import dev.streamlearn.streams.rebalance.Oversampler;
import dev.streamlearn.streams.rebalance.Reservoir;
import java.util.List;
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

/**
 * The rebalance stage: SMOTE's k-nearest-neighbour search in a class's reservoir (linear in its size), and a whole
 * offer (count, sample into the reservoir, and interpolate the synthetic records owed) at a 9:1 imbalance.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SmoteBenchmark {

  @Param({"100", "256", "1000", "10000"})
  public int reservoir;

  private Reservoir samples;
  private Oversampler oversampler;
  private double[][] xs;
  private int[] ys;
  private int next;

  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(3);
    samples = new Reservoir(reservoir);
    for (int i = 0; i < reservoir; i++) {
      samples.add(new Reservoir.Sample("s" + i, Fixtures.gaussian(rnd, 6)));
    }
    xs = new double[4096][];
    ys = new int[xs.length];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = Fixtures.gaussian(rnd, 6);
      ys[i] = rnd.nextDouble() < 0.1 ? 1 : 0;
    }
    oversampler = new Oversampler(new ClassBalance(2, 1.0, 10, 10), reservoir, 5, 50, 1);
    for (int i = 0; i < 20_000; i++) { // warm: both reservoirs full, targets settled into their steady state
      oversampler.offer("w" + i, ys[i & 4095], xs[i & 4095]);
    }
  }

  @Benchmark
  public Object nearestNeighbours() {
    return samples.nearest(xs[next++ & 4095], "self", 5);
  }

  @Benchmark
  public List<?> offer() {
    int i = next++;
    return oversampler.offer("r" + i, ys[i & 4095], xs[i & 4095]);
  }
}
