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

    /** The second whose p99 is the median of the seconds': what an ordinary second did, to compare the slowest with. */
    java.util.Optional<Second> median() {
      List<Second> byP99 = seconds.stream().sorted(java.util.Comparator.comparingDouble(Second::p99)).toList();
      return byP99.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(byP99.get(byP99.size() / 2));
    }
  }

  /**
   * One second of the run, by the records' append time ({@code t} seconds after the measurement began, at
   * {@code fromEpochMs}, to match with logs): whether a p99
   * comes from a few bad seconds (a stall: a collection, a slow commit) or from every second alike (steady queueing).
   * Beside it, what happened in that second of wall time ({@link ActivitySampler}, read five times a second, so a
   * figure can include up to 200 ms of the second before; {@link #UNKNOWN} (-1) when it could not be read). The records
   * of second t are delayed by what happens from t on, so a delay caused late in t shows in t, and one caused after t
   * ends, by its records' latency, shows in t+1: read a slow second beside the one after it.
   * {@code retries}, the stream producer's record retries (records, not requests); {@code commits}, the stream
   * thread's commits; {@code commitMs} and {@code flushMs}, the stream producer's time in {@code commitTransaction}
   * and in {@code flush}; {@code blockedMs}, the stream thread's time blocked on its Kafka clients (Kafka Streams' {@code
   * blocked-time-ns-total}: its polls' waits for records, its producer's flushes and transaction calls, {@code commitMs}
   * and {@code flushMs} among them); {@code threadCpuMs}, the stream thread's CPU; {@code runQueueMs}, the first
   * stream thread's time ready to run without a core (Linux's schedstat: measured, where {@code 1000 - threadCpuMs -
   * blockedMs} is only inferred; a wait for a core inside a poll or a flush counts in both {@code blockedMs} and
   * {@code runQueueMs}, so the two do not add up); {@code gcMs}, {@code jitMs} and {@code jvmCpuMs}, this JVM's (the app, the harness's
   * producer and reader share it); {@code machineBusyMs} and {@code stealMs}, both cores' busy time by /proc/stat (the
   * broker included) and the time the hypervisor gave them to others.
   */
  record Second(int t, int n, double p50, double p99, double max, long retries, long commits, long fetches, long producerRequests, double commitMs, double flushMs,
      double blockedMs, double threadCpuMs, double runQueueMs, double gcMs, double jitMs, double jvmCpuMs, double machineBusyMs, double stealMs) {
    /** A figure that could not be read for that second. */
    static final long UNKNOWN = -1;

    String retriesText() {
      return retries == UNKNOWN ? "retries not counted" : retries + " retries";
    }

    /** What the app did in that second, for the "slowest seconds" line. */
    String activityText() {
      return String.format(java.util.Locale.ROOT, "%s, %s commits (%s ms committing, %s flushing), %s fetches, %s producer requests, stream"
          + " thread CPU %s ms, blocked on its clients %s ms (poll waits, flushes and commits included), ready without a core %s ms; JVM CPU %s ms, GC %s ms, JIT %s ms; machine busy %s ms, steal %s ms", retriesText(), text(commits),
          text(commitMs), text(flushMs), text(fetches), text(producerRequests), text(threadCpuMs), text(blockedMs), text(runQueueMs), text(jvmCpuMs), text(gcMs), text(jitMs), text(machineBusyMs), text(stealMs));
    }

    private static String text(double v) {
      return v == UNKNOWN ? "?" : String.format(java.util.Locale.ROOT, "%.0f", v);
    }
  }

  static final Duration WARMUP = Duration.ofSeconds(3);

  private LatencyBench() {}

  static Result run(StreamlearnConfig base, double rate, Duration duration, boolean keyById, List<byte[]> input) throws Exception {
    try (BenchEnv env = new BenchEnv(base, "latency-" + (long) rate, Map.of(), keyById);
        PreprocessApp app = new PreprocessApp(env.config, ThroughputBench.SPEC, env.stateDir.toString())) {
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
      long[] gc0 = gc();
      long sent = 0;
      long t0 = System.nanoTime();
      long end = t0 + duration.toNanos() + WARMUP.toNanos();
      double achieved;
      ActivitySampler activity = activity(app, env.config.applicationId());
      try {
        reader.start();
        activity.start();
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
      } finally {
        // also when sending failed: neither thread may outlive the app (the reader is not a daemon)
        stop.set(true);
        try {
          if (reader.isAlive()) {
            reader.join();
          }
        } finally {
          activity.close();
        }
      }
      long[] gc1 = gc();
      var metrics = app.streams().metrics();
      double retries = sum(metrics, "producer-metrics", "record-retry-total");
      double commitMax = max(metrics, "stream-thread-metrics", "commit-latency-max");
      double txnCommitMs = sum(metrics, "producer-metrics", "txn-commit-time-ns-total") / 1e6;
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      long overOneSecond = sorted.stream().filter(l -> l > 1000).count();
      return new Result(rate, achieved, sorted.size(), pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1),
          overOneSecond, retries, commitMax, txnCommitMs, gc1[0] - gc0[0], gc1[1] - gc0[1], measureFrom, seconds(bySecond, activity, measureFrom));
    }
  }

  /** The counters {@link Second} sets beside each second's latencies, in ms where they are times, in the order of NAMES. */
  private static final List<String> ACTIVITY = List.of("retries", "commits", "commitMs", "flushMs", "blockedMs", "fetches",
      "producerRequests", "threadCpuMs", "runQueueMs", "gcMs", "jitMs", "jvmCpuMs", "machineBusyMs", "stealMs");

  private static ActivitySampler activity(PreprocessApp app, String appId) {
    StreamThreadCpu threadCpu = new StreamThreadCpu(appId);
    return new ActivitySampler(ACTIVITY, () -> {
      var m = app.streams().metrics(); // once per reading: each call builds a map of every client's metrics
      double[] machine = machineCpuMs();
      long jit = ThroughputBench.jitMillis();
      return new double[] {
          sumOrNaN(m, "producer-metrics", "record-retry-total", any -> true),
          sumOrNaN(m, "stream-thread-metrics", "commit-total", any -> true),
          sumOrNaN(m, "producer-metrics", "txn-commit-time-ns-total", any -> true) / 1e6,
          sumOrNaN(m, "producer-metrics", "flush-time-ns-total", any -> true) / 1e6,
          sumOrNaN(m, "stream-thread-metrics", "blocked-time-ns-total", any -> true) / 1e6,
          // the main consumers' fetches: a restore consumer's would count a restoration as traffic
          sumOrNaN(m, "consumer-fetch-manager-metrics", "fetch-total", client -> !client.endsWith("restore-consumer")),
          sumOrNaN(m, "producer-metrics", "request-total", any -> true),
          threadCpu.ms(),
          threadCpu.runQueueMs(),
          gc()[1],
          jit < 0 ? Double.NaN : jit,
          jvmCpuMs(),
          machine[0],
          machine[1]};
    });
  }

  /** {@link #sum}, over the clients whose client-id {@code client} accepts; NaN when no metric matched (a wrong name must not read 0). */
  private static double sumOrNaN(Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics, String group, String name,
      java.util.function.Predicate<String> client) {
    double[] values = metrics.entrySet().stream()
        .filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name)
            && client.test(e.getKey().tags().getOrDefault("client-id", "")))
        .mapToDouble(e -> value(e.getValue())).toArray();
    return values.length == 0 ? Double.NaN : java.util.Arrays.stream(values).sum();
  }

  /**
   * The stream threads' CPU, by thread ids found once: listing every thread of the JVM five times a second cost about 3% of
   * the JVM's CPU in a profile. A thread that died and was replaced takes its time with it (the second's rise then reads
   * as unknown), and its replacement is found at the next reading.
   */
  private static final class StreamThreadCpu {
    private final String appId;
    private long[] ids = new long[0];
    private String firstName;
    private java.nio.file.Path schedstat;
    private long retryAt;

    StreamThreadCpu(String appId) {
      this.appId = appId;
    }

    double ms() {
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long sum = 0;
      for (long id : ids) {
        long t = threads.getThreadCpuTime(id);
        if (t < 0) { // gone: look again
          ids = new long[0];
          break;
        }
        sum += t;
      }
      if (ids.length == 0) {
        var found = java.util.Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(i -> i != null && i.getThreadName().startsWith(appId) && i.getThreadName().contains("-StreamThread-")).toList();
        ids = found.stream().mapToLong(java.lang.management.ThreadInfo::getThreadId).toArray();
        firstName = found.isEmpty() ? null : found.get(0).getThreadName();
        schedstat = null;
        retryAt = 0;
        return ThroughputBench.streamThreadCpuNanos(appId) / 1e6;
      }
      return sum / 1e6;
    }

    /**
     * The first stream thread's time ready to run without a core, from Linux's /proc/self/task/TID/schedstat (its
     * second field, ns); NaN where there is none. Java does not give a thread's native id, so the task is found by its
     * name (Linux keeps the first 15 bytes; other threads of the app share them) and by its CPU time, which schedstat's
     * first field also counts: the task whose CPU time is nearest the thread's, within {@link #TOLERANCE_NS} plus 1%.
     * Every reading checks the match again (a task chosen while several threads were near 0 ms is dropped when they
     * part), which also turns a schedstat that counts nothing (sched_info off: "0 0 0") into NaN rather than 0.
     */
    double runQueueMs() {
      if (ids.length == 0 || firstName == null) {
        return Double.NaN;
      }
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      try {
        long cpu = threads.getThreadCpuTime(ids[0]);
        if (cpu < 0) {
          return Double.NaN;
        }
        if (schedstat == null) {
          if (System.nanoTime() < retryAt) {
            return Double.NaN;
          }
          schedstat = findTask(firstName, cpu);
          if (schedstat == null) {
            retryAt = System.nanoTime() + 10_000_000_000L; // listing every task five times a second would cost more than it tells
            return Double.NaN;
          }
        }
        String[] f = fields(schedstat);
        if (!matches(Long.parseLong(f[0]), cpu)) {
          schedstat = null;
          return Double.NaN;
        }
        return Long.parseLong(f[1]) / 1e6;
      } catch (java.io.IOException | RuntimeException e) {
        schedstat = null;
        return Double.NaN;
      }
    }

    /** How far a task's CPU time may be from the Java thread's: the thread's clock includes its running slice not yet booked. */
    private static final long TOLERANCE_NS = 10_000_000;

    private static boolean matches(long taskCpu, long threadCpu) {
      return Math.abs(taskCpu - threadCpu) <= TOLERANCE_NS + threadCpu / 100;
    }

    private static java.nio.file.Path findTask(String name, long cpu) throws java.io.IOException {
      byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String comm = new String(bytes, 0, Math.min(15, bytes.length), java.nio.charset.StandardCharsets.UTF_8);
      java.nio.file.Path best = null;
      long bestGap = Long.MAX_VALUE;
      try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
        for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
          try {
            String taskComm = java.nio.file.Files.readString(task.resolve("comm"));
            if (!(taskComm.endsWith("\n") ? taskComm.substring(0, taskComm.length() - 1) : taskComm).equals(comm)) {
              continue;
            }
            long taskCpu = Long.parseLong(fields(task.resolve("schedstat"))[0]);
            long gap = Math.abs(taskCpu - cpu);
            if (gap < bestGap && matches(taskCpu, cpu)) {
              bestGap = gap;
              best = task.resolve("schedstat");
            }
          } catch (java.io.IOException | RuntimeException gone) {
            // a task that ended while listed
          }
        }
      }
      return best;
    }

    private static String[] fields(java.nio.file.Path file) throws java.io.IOException {
      return java.nio.file.Files.readString(file).strip().split("\\s+");
    }
  }

  private static double jvmCpuMs() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0 ? os.getProcessCpuTime() / 1e6 : Double.NaN;
  }

  /**
   * All cores' busy and steal time so far, in ms, from /proc/stat's first line (user nice system idle iowait irq softirq
   * steal, in ticks of 10 ms, Linux's USER_HZ on every architecture this runs on); NaN where there is no /proc.
   */
  static double[] machineCpuMs() {
    try {
      String[] f;
      try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("/proc/stat"))) {
        f = in.readLine().trim().split("\\s+"); // the first line only: the rest (per core, interrupts) is long
      }
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      return new double[] {(total - idle - steal) * 10.0, steal * 10.0};
    } catch (java.io.IOException | RuntimeException e) {
      return new double[] {Double.NaN, Double.NaN};
    }
  }

  private static List<Second> seconds(Map<Integer, List<Double>> bySecond, ActivitySampler activity, long fromEpochMs) {
    List<Second> out = new ArrayList<>();
    new java.util.TreeMap<>(bySecond).forEach((t, l) -> {
      List<Double> sorted = new ArrayList<>(l);
      Collections.sort(sorted);
      Map<String, Double> a = activity.rise(fromEpochMs + t * 1000L, fromEpochMs + (t + 1) * 1000L);
      out.add(new Second(t, sorted.size(), pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1), Math.round(a.get("retries")),
          Math.round(a.get("commits")), Math.round(a.get("fetches")), Math.round(a.get("producerRequests")), a.get("commitMs"), a.get("flushMs"), a.get("blockedMs"), a.get("threadCpuMs"), a.get("runQueueMs"), a.get("gcMs"),
          a.get("jitMs"), a.get("jvmCpuMs"), a.get("machineBusyMs"), a.get("stealMs")));
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
