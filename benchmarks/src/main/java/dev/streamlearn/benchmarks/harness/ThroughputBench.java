package dev.streamlearn.benchmarks.harness;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.streams.PreprocessApp;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Records/s of a topology over the same pre-loaded input: the passthrough baseline (source to sink), a
 * reference that only deduplicates through a RocksDB store, or the full preprocessing topology. Timed from
 * RUNNING to the last input record processed.
 */
final class ThroughputBench {

  /** What runs between records.raw and its output. */
  enum Kind {
    /** Source to sink, bytes untouched: Kafka Streams' own limit under the guarantee. */
    PASSTHROUGH("pass"),
    /**
     * A plain deduplicating app, for scale: one lookup and, for a new key, one put into a cached, changelogged
     * RocksDB key-value store, then the bytes forwarded. Not the streams app's dedup (an uncached window store
     * behind a Bloom filter, after parsing and cleaning): faulty records go through, and unkeyed input
     * ({@code --keys none}) is deduplicated on its bytes where it arrived, with no repartition.
     */
    DEDUP_ONLY("dedup"),
    /** The preprocessing topology, as the streams app runs it. */
    FULL("full");

    final String tag;

    Kind(String tag) {
      this.tag = tag;
    }
  }

  /**
   * @param heapMb the app's live heap once the run finished: the heap after a collection with the app open, minus the
   *     heap after a collection once it closed (the bench's own input excluded)
   * @param peakHeapMb peak heap during the run minus that same baseline
   * @param streamThreadUsPerRecord CPU time of the app's stream threads per input record: the topology's own cost,
   *     which the broker and the other threads sharing the cores do not move as much as they move records/s
   * @param jitCompileMs time the JVM's JIT compilers spent during the run (NaN if not measured): near zero in a warm
   *     run, seconds in a cold one, where the compiler threads take CPU from the stream thread on a small machine
   */
  record Result(double rps, double seconds, double heapMb, double peakHeapMb, double rssMb, long stateBytes, double producerRps,
      double streamThreadUsPerRecord, double jitCompileMs) {}

  static final DatasetSpec SPEC = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES.stream().sorted().toList())
      .setLabels(DirtyStreamGenerator.LABELS.stream().sorted().toList()).build();

  private ThroughputBench() {}

  static Result run(StreamlearnConfig base, Kind kind, String guarantee, boolean keyById, List<byte[]> input) throws Exception {
    return run(base, kind, guarantee, keyById, input.size(), input::get);
  }

  static Result run(StreamlearnConfig base, Kind kind, String guarantee, boolean keyById, int n, java.util.function.IntFunction<byte[]> gen)
      throws Exception {
    boolean full = kind == Kind.FULL;
    String name = kind.tag + "-" + (guarantee.startsWith("exactly") ? "eos" : "alos");
    try (BenchEnv env = new BenchEnv(base, name, Map.of(StreamlearnConfig.PROCESSING_GUARANTEE, guarantee, StreamlearnConfig.STATS_PUBLISH_MS, "100"),
        keyById)) {
      double producerRps = env.load(n, gen);
      double baseline = Memory.heapUsedMb();
      Memory.resetPeaks();
      KafkaStreams streams;
      PreprocessApp app = null;
      if (full) {
        app = new PreprocessApp(env.config, SPEC, env.stateDir.toString());
        streams = app.streams();
      } else {
        streams = new KafkaStreams(kind == Kind.PASSTHROUGH ? passthrough(env.config) : dedupOnly(env.config), referenceProps(env, kind));
      }
      long t0 = startAndAwaitRunning(streams);
      long jit0 = jitMillis(); // from RUNNING, as the run's time: start-up compilation is not counted against it
      long t0Wall = System.currentTimeMillis();
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      double secs;
      try (Admin admin = env.clients.admin(); var consumer = env.clients.consumer()) {
        List<TopicPartition> parts = dev.streamlearn.core.TopicReader.partitions(consumer, env.config.topic(TopicName.RAW));
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        while (true) {
          if (full) {
            // The newest partition report says when the last record was counted (reports every 100 ms).
            PipelineReport r = PipelineReport.read(env.clients);
            if (r.raw() == n && r.reconciles() && r.held() == 0) {
              secs = (r.lastUpdate() - t0Wall) / 1000.0;
              break;
            }
          } else if (committedAll(admin, env.config.applicationId() + "-" + kind.tag, parts, end)) {
            secs = (System.nanoTime() - t0) / 1e9;
            break;
          }
          if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
            throw new IllegalStateException(name + " did not finish (state " + streams.state() + ")");
          }
          Thread.sleep(full ? 1000 : 50); // polling the stats topic / group offsets: there is no completion event
        }
      }
      double cpuUs = streamThreadCpuNanos(env.config.applicationId()) / 1000.0 / n;
      double jitMs = jit0 < 0 ? Double.NaN : jitMillis() - jit0;
      double peak = Memory.peakHeapMb() - baseline;
      double heapOpen = Memory.heapUsedMb();
      double rss = Memory.rssMb();
      if (app != null) {
        app.close();
      } else {
        streams.close(Duration.ofSeconds(30));
      }
      app = null;
      streams = null;
      // What the app held is what its closing freed, measured seconds apart. Against a baseline taken before the
      // app started, the heap came out negative in every full run (-99 to -513 MB at 10^5 ids, after the training
      // section): whatever the earlier sections left reachable at the baseline was freed during the run.
      double heap = heapOpen - Memory.heapUsedMb();
      long state = BenchEnv.directorySize(env.stateDir); // after close: RocksDB has flushed its memtables
      return new Result(n / secs, secs, heap, peak, rss, state, producerRps, cpuUs, jitMs);
    }
  }

  /**
   * CPU time of the live stream threads of the application whose id starts with {@code appId}, read before close;
   * NaN where the JVM does not measure thread CPU or no thread carries the default name (a {@code client.id} set
   * by hand renames them). A stream thread that died and was replaced takes its time with it.
   */
  static double streamThreadCpuNanos(String appId) {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
      return Double.NaN;
    }
    long sum = 0;
    int found = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(appId) && info.getThreadName().contains("-StreamThread-")) {
        long t = threads.getThreadCpuTime(info.getThreadId());
        if (t >= 0) {
          sum += t;
          found++;
        }
      }
    }
    return found == 0 ? Double.NaN : sum;
  }

  /** Total JIT compilation time of this JVM so far, in ms; -1 where the JVM does not report it. */
  static long jitMillis() {
    var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  static long startAndAwaitRunning(KafkaStreams streams) throws InterruptedException {
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    streams.setStateListener((now, old) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    streams.start();
    if (!running.await(120, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new IllegalStateException("streams did not reach RUNNING");
    }
    return System.nanoTime();
  }

  private static boolean committedAll(Admin admin, String group, List<TopicPartition> parts, Map<TopicPartition, Long> end) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return parts.stream().allMatch(tp -> committed.get(tp) != null && committed.get(tp).offset() >= end.get(tp));
  }

  static org.apache.kafka.streams.Topology passthrough(StreamlearnConfig c) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(c.topic(TopicName.RAW), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(c.topic(TopicName.CLEAN), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    return b.build();
  }

  /**
   * Records keyed by id are deduplicated on their key; unkeyed ones ({@code --keys none}) on their bytes, with no
   * repartition: a reference for the cost of the store, not a second implementation of the streams app's dedup.
   */
  static org.apache.kafka.streams.Topology dedupOnly(StreamlearnConfig c) {
    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN),
        Serdes.Bytes(), Serdes.Long()).withCachingEnabled());
    b.stream(c.topic(TopicName.RAW), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .process(FirstSeen::new, SEEN)
        .to(c.topic(TopicName.CLEAN), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    return b.build();
  }

  private static final String SEEN = "seen";

  /** Forwards a record the first time its key (or, unkeyed, its bytes) is seen. */
  private static final class FirstSeen implements Processor<byte[], byte[], byte[], byte[]> {
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, Long> seen;

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
      this.seen = context.getStateStore(SEEN);
    }

    @Override
    public void process(Record<byte[], byte[]> r) {
      var id = Bytes.wrap(r.key() != null ? r.key() : r.value());
      if (seen.get(id) == null) {
        seen.put(id, r.timestamp());
        context.forward(r);
      }
    }
  }

  /** The streams app's own properties for a reference app (passthrough or dedup-only), under an application id of its own. */
  private static Properties referenceProps(BenchEnv env, Kind kind) {
    Properties p = PreprocessApp.streamsProperties(env.config, env.stateDir.toString());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, env.config.applicationId() + "-" + kind.tag);
    return p;
  }
}
