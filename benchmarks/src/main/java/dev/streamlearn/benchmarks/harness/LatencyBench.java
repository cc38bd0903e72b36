package dev.streamlearn.benchmarks.harness;

import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.streams.PreprocessApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * End-to-end latency from a record's append to records.raw (its CreateTime, which Streams carries
 * through) to its arrival, committed, on records.train, at a fixed offered load.
 */
final class LatencyBench {

  /** Samples of the first {@link #WARMUP} are dropped: they measure task start-up (first transactions, fetch sessions), not steady state. */
  /**
   * Besides the percentiles, what the stream thread's producer and commits did over the run, to tell a stall's cause:
   * the producer's retries (a produce the broker answers CONCURRENT_TRANSACTIONS is retried with exponential backoff:
   * the streams app starts it at 20 ms, doubling to 1 s), and the slowest commit the stream thread saw.
   */
  record Result(double offeredRps, double achievedRps, long samples, double p50, double p99, double p999, double max, long overOneSecond,
      double producerRetries, double commitLatencyMaxMs, double txnCommitMs, long gcCount, long gcMs, long fromEpochMs, List<Second> seconds) {

    /** The slowest {@code n} seconds by p99, slowest first: where the tail came from. */
    List<Second> slowest(int n) {
      return seconds.stream().sorted(java.util.Comparator.comparingDouble(Second::p99).reversed()).limit(n).toList();
    }
  }

  /**
   * One second of the run, by the records' append time ({@code t} seconds after the measurement began, at
   * {@code fromEpochMs}, to match with logs): whether a p99
   * comes from a few bad seconds (a stall: a collection, a slow commit) or from every second alike (steady queueing).
   * {@code retries}: the stream producer's record retries (records, not requests) counted in that second of wall time,
   * read five times a second, so a retry can land a second off the records it delayed; {@link #UNKNOWN} (-1) when
   * they could not be counted.
   */
  record Second(int t, int n, double p50, double p99, double max, long retries) {
    /** {@code retries} when they could not be counted for that second. */
    static final long UNKNOWN = -1;

    String retriesText() {
      return retries == UNKNOWN ? "retries not counted" : retries + " retries";
    }
  }

  static final Duration WARMUP = Duration.ofSeconds(3);

  private LatencyBench() {}

  static Result run(StreamlearnConfig base, double rate, Duration duration, boolean keyById, List<byte[]> input) throws Exception {
    try (BenchEnv env = new BenchEnv(base, "latency-" + (long) rate, Map.of(), keyById)) {
      PreprocessApp app = new PreprocessApp(env.config, ThroughputBench.SPEC, env.stateDir.toString());
      ThroughputBench.startAndAwaitRunning(app.streams());
      List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
      Map<Integer, List<Double>> bySecond = new java.util.concurrent.ConcurrentHashMap<>();
      long measureFrom = System.currentTimeMillis() + WARMUP.toMillis();
      AtomicBoolean stop = new AtomicBoolean();
      Thread reader = new Thread(() -> {
        try (KafkaConsumer<byte[], byte[]> c = env.clients.consumer()) {
          List<TopicPartition> parts = TopicReader.partitions(c, env.config.topic(TopicName.TRAIN));
          c.assign(parts);
          c.seekToEnd(parts);
          while (!stop.get()) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
              long now = System.currentTimeMillis();
              ProcessedRecord p = Avro.PROCESSED.decode(r.value());
              if (!p.getSynthetic() && r.timestamp() >= measureFrom) {
                double latency = now - r.timestamp();
                latencies.add(latency);
                bySecond.computeIfAbsent((int) ((r.timestamp() - measureFrom) / 1000), t -> new ArrayList<>()).add(latency);
              }
            }
          }
        }
      }, "latency-reader");
      reader.start();
      // The stream producer's retry count, read five times a second with the time read: a second's retries set beside its p99.
      java.util.concurrent.ConcurrentSkipListMap<Long, Double> retriesAt = new java.util.concurrent.ConcurrentSkipListMap<>();
      Thread retrySampler = new Thread(() -> {
        while (!stop.get()) {
          double count = sum(app.streams().metrics(), "producer-metrics", "record-retry-total");
          retriesAt.put(System.currentTimeMillis(), count);
          try {
            Thread.sleep(200); // five readings a second: a second's count is off by at most the 200 ms after its boundaries
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "latency-retries");
      retrySampler.setDaemon(true);
      retrySampler.start();
      long[] gc0 = gc();
      long sent = 0;
      long t0 = System.nanoTime();
      long end = t0 + duration.toNanos() + WARMUP.toNanos();
      double achieved;
      try {
        try (KafkaProducer<byte[], byte[]> p = env.clients.producer()) {
          while (System.nanoTime() < end) {
            long due = t0 + (long) (sent / rate * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing the offered load
            }
            p.send(env.raw(input.get((int) (sent % input.size()))));
            sent++;
          }
        }
        achieved = sent / ((System.nanoTime() - t0) / 1e9);
        // (records sent during the warm-up count for the offered rate but not for the percentiles)
        Thread.sleep(2000); // let the last transactions commit before the reader stops (a measurement tail, not synchronisation)
      } catch (Exception e) {
        app.close();
        throw e;
      } finally {
        // also when sending failed: neither thread may outlive the app (the reader is not a daemon)
        stop.set(true);
        reader.join();
        retrySampler.interrupt();
        retrySampler.join();
      }
      long[] gc1 = gc();
      var metrics = app.streams().metrics();
      double retries = sum(metrics, "producer-metrics", "record-retry-total");
      double commitMax = max(metrics, "stream-thread-metrics", "commit-latency-max");
      double txnCommitMs = sum(metrics, "producer-metrics", "txn-commit-time-ns-total") / 1e6;
      app.close();
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      long overOneSecond = sorted.stream().filter(l -> l > 1000).count();
      return new Result(rate, achieved, sorted.size(), pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1),
          overOneSecond, retries, commitMax, txnCommitMs, gc1[0] - gc0[0], gc1[1] - gc0[1], measureFrom, seconds(bySecond, retriesAt, measureFrom));
    }
  }

  /**
   * @param retriesAt the stream producer's cumulative retry count by the wall time it was read: a second's retries are
   *     the rise between the last readings at or before its start and its end (a reading that came late, in a stall, puts
   *     its retries in the second it was read in)
   */
  private static List<Second> seconds(Map<Integer, List<Double>> bySecond, java.util.NavigableMap<Long, Double> retriesAt, long fromEpochMs) {
    List<Second> out = new ArrayList<>();
    new java.util.TreeMap<>(bySecond).forEach((t, l) -> {
      List<Double> sorted = new ArrayList<>(l);
      Collections.sort(sorted);
      Map.Entry<Long, Double> start = retriesAt.floorEntry(fromEpochMs + t * 1000L);
      Map.Entry<Long, Double> end = retriesAt.floorEntry(fromEpochMs + (t + 1) * 1000L);
      // UNKNOWN: no reading before the second began, or the count fell (a new producer, after a task migration)
      long retries = start == null || end == null || end.getValue() < start.getValue() ? Second.UNKNOWN : Math.round(end.getValue() - start.getValue());
      out.add(new Second(t, sorted.size(), pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1), retries));
    });
    return out;
  }

  /** Collections and their total time in this JVM so far, every collector (the stream thread shares the harness's JVM). */
  private static long[] gc() {
    long count = 0;
    long ms = 0;
    for (var b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, b.getCollectionCount());
      ms += Math.max(0, b.getCollectionTime());
    }
    return new long[] {count, ms};
  }

  private static double sum(Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics, String group, String name) {
    return metrics.entrySet().stream().filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name))
        .mapToDouble(e -> value(e.getValue())).filter(Double::isFinite).sum();
  }

  private static double max(Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics, String group, String name) {
    return metrics.entrySet().stream().filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name))
        .mapToDouble(e -> value(e.getValue())).filter(Double::isFinite).max().orElse(Double.NaN);
  }

  private static double value(org.apache.kafka.common.Metric m) {
    return m.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  static double pct(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
