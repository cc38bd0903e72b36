package dev.streamlearn.benchmarks.harness;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * Reads a few cumulative counters (the stream producer's retries and its time in commits and flushes, the stream
 * thread's commits, CPU and time blocked on Kafka clients, this JVM's collections and CPU) five times a second with the
 * time it read them, so that each second of a latency run can be set beside what the app was doing in it.
 */
final class ActivitySampler implements AutoCloseable {

  /** A counter's rise over one second when it could not be read (no reading near an end; it fell: a new client; no such metric). */
  static final double UNKNOWN = -1;

  static final long INTERVAL_MS = 200;

  private final List<String> names;
  private final Supplier<double[]> reading;
  private final NavigableMap<Long, double[]> readings = new ConcurrentSkipListMap<>();
  private final Thread thread;
  private volatile boolean stopped;

  /**
   * @param names the counters, in the order {@code reading} returns them
   * @param reading one reading of every counter, each cumulative (never falls while the same client lives), NaN where
   *     one could not be read
   */
  ActivitySampler(List<String> names, Supplier<double[]> reading) {
    this.names = List.copyOf(names);
    this.reading = reading;
    this.thread = new Thread(this::loop, "latency-activity");
    thread.setDaemon(true);
  }

  ActivitySampler start() {
    thread.start();
    return this;
  }

  private void loop() {
    while (!stopped) {
      long at = System.currentTimeMillis(); // when the reading began: a slow reading must not move its figures later
      double[] values;
      try {
        values = reading.get();
      } catch (RuntimeException e) {
        values = null; // one failed reading leaves a gap (its seconds read as unknown), not a dead sampler
      }
      if (values != null && values.length == names.size()) {
        readings.put(at, values);
      }
      try {
        Thread.sleep(INTERVAL_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Each counter's rise over {@code [fromMs, toMs)}: between the last readings at or before each end. Those readings can
   * be up to {@link #INTERVAL_MS} early, so a window's figures can include the end of the window before; a window with no
   * reading of its own, or whose nearest reading is more than two intervals before an end (the sampler stalled with the
   * JVM: a collection, a starved core), reads {@link #UNKNOWN} rather than zero.
   */
  Map<String, Double> rise(long fromMs, long toMs) {
    Map.Entry<Long, double[]> start = readings.floorEntry(fromMs);
    Map.Entry<Long, double[]> end = readings.floorEntry(toMs);
    boolean usable = start != null && end != null && !start.getKey().equals(end.getKey())
        && fromMs - start.getKey() <= 2 * INTERVAL_MS && toMs - end.getKey() <= 2 * INTERVAL_MS;
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      double d = usable ? end.getValue()[i] - start.getValue()[i] : Double.NaN;
      out.put(names.get(i), Double.isFinite(d) && d >= 0 ? d : UNKNOWN);
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.interrupt();
    thread.join();
  }
}
