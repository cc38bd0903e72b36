package dev.streamlearn.benchmarks.harness;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.updater.ModelFactory;
import dev.streamlearn.updater.ModelUpdater;
import dev.streamlearn.updater.ReplayBuffer;
import dev.streamlearn.updater.SnapshotEvent;
import dev.streamlearn.updater.Trainer;
import dev.streamlearn.client.snapshot.SnapshotCatalog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * DL4J's raw fit on mini-batches held in memory, against the model updater consuming the same
 * records from records.train (decode, batch assembly, prequential test, fit, eval window, periodic
 * snapshots). Both do the same gradient work: the raw loop also replays {@code updater.replay.batches}
 * mini-batches from a reservoir after each new one and folds every step into the parameter average when
 * {@code updater.average.decay} is on, as the updater's {@link Trainer} does. The two alternate over
 * {@code repetitions} rounds (raw, updater, raw, updater, ...) so a drift in the machine's load hits both,
 * and the figures are medians with their range. Each round also runs the updater with {@code updater.fit.thread=true}
 * (its mini-batches fitted on a thread of their own while the consumer's thread polls and decodes), before or after the
 * default one in turns: the hand-off against fitting on the consumer's thread, in the same run.
 */
final class TrainingBench {

  /**
   * @param fitRawSps median records/s of the raw loop (new records; replayed ones are extra work per record, as in the updater)
   * @param updaterSps median records/s of the updater, from the first record it reads to the last snapshot
   * @param ratio median of the per-round ratios updater / raw
   * @param updaterFitOnlySps the updater's own fit() calls alone (no Kafka, decode or snapshots; replayed mini-batches in the time), in the last round
   * @param rawCpuRuns per round, the raw loop's records per second of its thread's CPU time (wall time less waiting and descheduling)
   * @param rawMedianBatchRuns per round, the raw loop's records/s at its median mini-batch time (stalls left out)
   * @param fitOnlyRuns per round, the updater's own fit() calls alone, as {@code updaterFitOnlySps}
   * @param handedSps median records/s of the updater handing its mini-batches to a fit thread ({@code updater.fit.thread=true})
   * @param ratioHanded median of the per-round ratios of that updater to the raw loop
   * @param updaterCpuUsRuns per round, CPU µs per record of the (default) updater's thread
   * @param handedConsumerCpuUsRuns per round, CPU µs per record of the consumer's thread of the updater with a fit thread
   * @param handedFitCpuUsRuns per round, CPU µs per record of its fit thread
   */
  record Result(double fitRawSps, double updaterSps, double ratio, double[] rawRuns, double[] updaterRuns, double[] ratioRuns,
      double updaterFitOnlySps, long snapshotBytes, double publishMs, double loadMs, int snapshots, double[] rawCpuRuns,
      double[] rawMedianBatchRuns, double[] fitOnlyRuns, double handedSps, double ratioHanded, double[] handedRuns,
      double[] ratioHandedRuns, double[] updaterCpuUsRuns, double[] handedConsumerCpuUsRuns, double[] handedFitCpuUsRuns) {}

  /** One raw pass: records/s by wall time, by the thread's CPU time, and at the median mini-batch's time. */
  private record RawPass(double sps, double cpuSps, double medianBatchSps) {}

  private TrainingBench() {}

  static Result run(StreamlearnConfig base, int n, int repetitions) throws Exception {
    if (repetitions < 1) {
      throw new IllegalArgumentException("at least one round, not " + repetitions);
    }
    int batch = base.getInt(StreamlearnConfig.BATCH_SIZE);
    SplittableRandom rnd = new SplittableRandom(5);
    List<double[]> xs = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int c = rnd.nextInt(3);
      double[] x = new double[6];
      for (int f = 0; f < 6; f++) {
        x[f] = (f % 3 == c ? 1.5 : 0) + rnd.nextGaussian();
      }
      xs.add(x);
      ys.add(c);
    }
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(List.of("f0", "f1", "f2", "f3", "f4", "f5")).setLabels(List.of("a", "b", "c")).build();
    List<double[][]> bx = new ArrayList<>();
    List<int[]> by = new ArrayList<>();
    for (int i = 0; i + batch <= n; i += batch) {
      bx.add(xs.subList(i, i + batch).toArray(double[][]::new));
      by.add(ys.subList(i, i + batch).stream().mapToInt(Integer::intValue).toArray());
    }
    // Warm-up: up to 500 batches, so the JIT has compiled ND4J's Java side before timing (with only 50 batches the
    // raw loop measured 30% below the same fit() calls inside the updater).
    rawPass(base, bx.subList(0, Math.min(500, bx.size())), by);

    int every = Math.max(1000, n / 5);
    double[] rawRuns = new double[repetitions];
    double[] updaterRuns = new double[repetitions];
    double[] ratioRuns = new double[repetitions];
    double[] rawCpuRuns = new double[repetitions];
    double[] rawMedianBatchRuns = new double[repetitions];
    double[] fitOnlyRuns = new double[repetitions];
    double[] handedRuns = new double[repetitions];
    double[] ratioHandedRuns = new double[repetitions];
    double[] updaterCpuUsRuns = new double[repetitions];
    double[] handedConsumerCpuUsRuns = new double[repetitions];
    double[] handedFitCpuUsRuns = new double[repetitions];
    UpdaterRun last = null;
    try (BenchEnv env = new BenchEnv(base, "train", Map.of(StreamlearnConfig.SNAPSHOT_EVERY_RECORDS, String.valueOf(every),
        StreamlearnConfig.SNAPSHOT_EVERY_MS, "600000"))) {
      produce(env, spec, xs, ys);
      // The updater's warm-up, as the raw loop had its own above: one snapshot's worth, as a model of its own. Without it
      // the first timed round compiled the updater's own paths (decode, prequential test, snapshots): session 11's two
      // full runs gave 0.70 and 0.69 in round 1 against 0.74-1.03 in the others.
      updater(env, "bench-warmup", every, Map.of());
      updater(env, "bench-warmup-handed", every, HANDED);
      for (int r = 0; r < repetitions; r++) {
        RawPass[] raw = new RawPass[1];
        onOwnThread("bench-raw-fit", () -> raw[0] = rawPass(base, bx, by));
        rawRuns[r] = raw[0].sps();
        rawCpuRuns[r] = raw[0].cpuSps();
        rawMedianBatchRuns[r] = raw[0].medianBatchSps();
        // Each round is a model of its own (its own consumer group and lineage) over the same records. The updater with
        // and without a fit thread take turns at going first, so neither always follows the raw loop.
        UpdaterRun handed = null;
        if (r % 2 == 1) {
          handed = timed(env, "bench-handed-" + r, n - n % every, HANDED, r);
        }
        last = timed(env, "bench-" + r, n - n % every, Map.of(), r);
        if (handed == null) {
          handed = timed(env, "bench-handed-" + r, n - n % every, HANDED, r);
        }
        handedRuns[r] = handed.sps;
        ratioHandedRuns[r] = handed.sps / rawRuns[r];
        handedConsumerCpuUsRuns[r] = handed.consumerCpuUs;
        handedFitCpuUsRuns[r] = handed.fitCpuUs;
        updaterCpuUsRuns[r] = last.consumerCpuUs;
        updaterRuns[r] = last.sps;
        ratioRuns[r] = updaterRuns[r] / rawRuns[r];
        fitOnlyRuns[r] = last.published.isEmpty() ? Double.NaN : last.published.get(last.published.size() - 1).trainSamplesPerSecond();
      }
      long l0 = System.nanoTime();
      if (!last.published.isEmpty()) {
        new SnapshotCatalog(env.clients).load(last.model, last.published.get(last.published.size() - 1).meta().getVersion(), null);
      }
      double loadMs = (System.nanoTime() - l0) / 1e6;
      List<SnapshotEvent.Published> pub = last.published;
      double publishMs = pub.stream().mapToLong(SnapshotEvent.Published::publishMs).average().orElse(Double.NaN);
      long size = pub.isEmpty() ? 0 : pub.get(pub.size() - 1).meta().getSizeBytes();
      return new Result(median(rawRuns), median(updaterRuns), median(ratioRuns), rawRuns, updaterRuns, ratioRuns, fitOnlyRuns[repetitions - 1], size,
          publishMs, loadMs,
          pub.size(), rawCpuRuns, rawMedianBatchRuns, fitOnlyRuns, median(handedRuns), median(ratioHandedRuns), handedRuns, ratioHandedRuns,
          updaterCpuUsRuns, handedConsumerCpuUsRuns, handedFitCpuUsRuns);
    }
  }

  /** The updater handing its mini-batches to a fit thread (off by default: it measured no faster here; docs/benchmarks.md). */
  private static final Map<String, String> HANDED = Map.of(StreamlearnConfig.FIT_THREAD, "true");

  /** One timed updater round; a round that did not finish voids the run: a median over the rounds that did would flatter the updater. */
  private static UpdaterRun timed(BenchEnv env, String model, long until, Map<String, String> overrides, int round) throws InterruptedException {
    UpdaterRun run = updater(env, model, until, overrides);
    if (!Double.isFinite(run.sps)) {
      throw new IllegalStateException("training bench: the updater's round " + (round + 1) + " (" + model + ") did not publish a snapshot covering "
          + until + " records within 10 minutes" + (run.failure == null ? "" : ": " + run.failure));
    }
    return run;
  }

  /** One pass of the gradient work the updater does per mini-batch: the new one, then the replayed ones; averaging inside {@link Trainer}. */
  private static RawPass rawPass(StreamlearnConfig c, List<double[][]> bx, List<int[]> by) {
    Trainer raw = new Trainer(ModelFactory.create(c, 6, 3), c.getDouble(StreamlearnConfig.AVERAGE_DECAY));
    int replayBatches = c.getInt(StreamlearnConfig.REPLAY_BATCHES);
    ReplayBuffer replay = new ReplayBuffer(c.getInt(StreamlearnConfig.REPLAY_BUFFER), c.getLong(StreamlearnConfig.SEED));
    int batch = c.getInt(StreamlearnConfig.BATCH_SIZE);
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long[] perBatch = new long[bx.size()];
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < bx.size(); i++) {
      long b0 = System.nanoTime();
      raw.fit(bx.get(i), by.get(i), null);
      if (replayBatches > 0) {
        replay.replayThenAdd(raw, replayBatches, batch, bx.get(i), by.get(i), null);
      }
      perBatch[i] = System.nanoTime() - b0;
    }
    double records = (double) bx.size() * batch;
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
    java.util.Arrays.sort(perBatch);
    double medianBatch = perBatch.length == 0 ? Double.NaN : perBatch[perBatch.length / 2] / 1e9;
    return new RawPass(records / wall, records / cpu, batch / medianBatch);
  }

  private static void produce(BenchEnv env, DatasetSpec spec, List<double[]> xs, List<Integer> ys) {
    try (KafkaProducer<byte[], byte[]> p = env.clients.producer()) {
      p.send(new ProducerRecord<>(env.config.topic(TopicName.STATS), "spec".getBytes(StandardCharsets.UTF_8), Avro.SPEC.encode(spec)));
      for (int i = 0; i < xs.size(); i++) {
        List<Double> f = new ArrayList<>();
        for (double v : xs.get(i)) {
          f.add(v);
        }
        ProcessedRecord r = ProcessedRecord.newBuilder().setId("t" + i).setTs(i).setLabel(spec.getLabels().get(ys.get(i))).setLabelIndex(ys.get(i))
            .setFeatures(f).setSplit(Split.TRAIN).setStatsVersion(i).build();
        p.send(new ProducerRecord<>(env.config.topic(TopicName.TRAIN), Avro.PROCESSED.encode(r)));
        if (i % 10 == 0) {
          r.setSplit(Split.EVAL);
          p.send(new ProducerRecord<>(env.config.topic(TopicName.EVAL), Avro.PROCESSED.encode(r)));
        }
      }
    }
  }

  /**
   * @param consumerCpuUs CPU µs per record of the updater's own thread (polls, decoding, batch assembly, eval window, snapshots; and
   *     the fits when it has no fit thread)
   * @param fitCpuUs CPU µs per record of its fit thread (prequential test, fits, replay), 0 without one
   */
  private record UpdaterRun(String model, double sps, List<SnapshotEvent.Published> published, Throwable failure, double consumerCpuUs,
      double fitCpuUs) {}

  /** The updater for {@code model} from the start of the topics until a snapshot covers {@code until} records. */
  private static UpdaterRun updater(BenchEnv env, String model, long until, Map<String, String> overrides) throws InterruptedException {
    List<SnapshotEvent> events = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    long[] started = new long[1];
    long[] finished = new long[1];
    // CPU time of the updater's thread and of its fit thread (0 without one) from the start to the last snapshot.
    long[] cpu = new long[4];
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(() -> {
      Map<String, String> settings = new java.util.HashMap<>(overrides);
      settings.put(StreamlearnConfig.MODEL_NAME, model);
      try (ModelUpdater u = new ModelUpdater(env.config.with(settings), e -> {
        if (e instanceof SnapshotEvent.Resumed) {
          started[0] = System.nanoTime();
          cpu[0] = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
          cpu[1] = threadCpu(ModelUpdater.FIT_THREAD_PREFIX + model);
        }
        if (e instanceof SnapshotEvent.Published p && p.meta().getTrainedRecords() >= until) {
          finished[0] = System.nanoTime();
          cpu[2] = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
          cpu[3] = threadCpu(ModelUpdater.FIT_THREAD_PREFIX + model);
          stop.set(true);
        }
        events.add(e);
      })) {
        u.run(stop);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        failure[0] = e;
      }
    }, "bench-updater");
    t.start();
    t.join(600_000);
    stop.set(true);
    t.join(60_000);
    List<SnapshotEvent.Published> pub = events.stream().filter(e -> e instanceof SnapshotEvent.Published).map(e -> (SnapshotEvent.Published) e).toList();
    long trained = pub.isEmpty() ? 0 : pub.get(pub.size() - 1).meta().getTrainedRecords();
    return new UpdaterRun(model, finished[0] == 0 ? Double.NaN : trained / ((finished[0] - started[0]) / 1e9), pub, failure[0],
        trained == 0 ? Double.NaN : (cpu[2] - cpu[0]) / 1e3 / trained, trained == 0 ? Double.NaN : (cpu[3] - cpu[1]) / 1e3 / trained);
  }

  /** CPU nanoseconds of the live thread of that name so far; 0 if there is none. */
  private static long threadCpu(String name) {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).mapToLong(t -> Math.max(0, mx.getThreadCpuTime(t.getId())))
        .sum();
  }

  /** Timed on a thread of its own, like the updater's loop, so both run under the same conditions. */
  private static void onOwnThread(String name, Runnable work) throws InterruptedException {
    Thread t = new Thread(work, name);
    t.start();
    t.join();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
