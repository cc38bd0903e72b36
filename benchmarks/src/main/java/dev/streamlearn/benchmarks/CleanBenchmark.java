package dev.streamlearn.benchmarks;

import dev.streamlearn.streams.clean.Cleaner;
import dev.streamlearn.streams.clean.PiiScrubber;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The clean stage's work per raw record: one streaming parse of the JSON bytes, validation, the typed record. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CleanBenchmark {

  private static final int EVENTS = 1024;
  private Cleaner cleaner;
  private byte[][] events;
  private int next;

  @Setup
  public void setUp() {
    cleaner = new Cleaner(Fixtures.spec(), Cleaner.MissingPolicy.REJECT, Cleaner.ExtraPolicy.REJECT,
        new Cleaner.Limits(1 << 20, 1e12, Long.MAX_VALUE), new PiiScrubber(Set.of(), false, ""));
    SplittableRandom rnd = new SplittableRandom(1);
    events = new byte[EVENTS][];
    for (int i = 0; i < EVENTS; i++) {
      events[i] = Fixtures.event(rnd, i);
    }
  }

  @Benchmark
  public Cleaner.Result parseAndClean() {
    return cleaner.clean(events[next++ & (EVENTS - 1)], 0L);
  }
}
