package dev.streamlearn.benchmarks.harness;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.DoubleSupplier;

/**
 * Reads a few cumulative counters (the stream producer's retries and its time in commits and flushes, the stream
 * thread's commits, CPU and time blocked on Kafka clients, this JVM's collections and CPU) five times a second with the
 * time it read them, so that each second of a latency run can be set beside what the app was doing in it: a bad second
 * whose stream thread sat in {@code commitTransaction} points at the broker, one whose thread was busy at its own work
 * at the thread, one with neither at the path after the commit (markers, the reader).
 */
final class ActivitySampler implements AutoCloseable {

  /** A counter's rise over one second, or this when it could not be read (no reading yet; it fell: a new client). */
  static final double UNKNOWN = -1;

  private final Map<String, DoubleSupplier> counters;
  private final NavigableMap<Long, double[]> readings = new ConcurrentSkipListMap<>();
  private final Thread thread;
  private volatile boolean stopped;

  /** @param counters by name, each cumulative (never falls while the same client lives) */
  ActivitySampler(Map<String, DoubleSupplier> counters) {
    this.counters = new LinkedHashMap<>(counters);
    this.thread = new Thread(this::loop, "latency-activity");
    thread.setDaemon(true);
  }

  ActivitySampler start() {
    thread.start();
    return this;
  }

  private void loop() {
    List<DoubleSupplier> suppliers = List.copyOf(counters.values());
    while (!stopped) {
      double[] values = new double[suppliers.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = suppliers.get(i).getAsDouble();
      }
      readings.put(System.currentTimeMillis(), values);
      try {
        Thread.sleep(200); // five readings a second: a second's figures are off by at most the 200 ms after its boundaries
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Each counter's rise over {@code [fromMs, toMs)}: between the last readings at or before each end (a reading that
   * came late, in a stall, puts its rise in the second it was read in).
   */
  Map<String, Double> rise(long fromMs, long toMs) {
    Map.Entry<Long, double[]> start = readings.floorEntry(fromMs);
    Map.Entry<Long, double[]> end = readings.floorEntry(toMs);
    Map<String, Double> out = new LinkedHashMap<>();
    int i = 0;
    for (String name : counters.keySet()) {
      double d = start == null || end == null ? Double.NaN : end.getValue()[i] - start.getValue()[i];
      out.put(name, Double.isFinite(d) && d >= 0 ? d : UNKNOWN);
      i++;
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
