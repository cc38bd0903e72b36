package dev.streamlearn.updater;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.Split;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Topics, a pinned spec and separable normalized records on a real broker, plus an updater running in a thread. */
final class UpdaterFixture implements AutoCloseable {

  /** The updater's and the clients' shared snapshot signing key in these tests. */
  static final String KEY = "test-signing-key-0123456789abcdef0123456789";

  static final DatasetSpec SPEC = DatasetSpec.newBuilder().setFeatures(List.of("a", "b", "c", "d")).setLabels(List.of("x", "y", "z")).build();
  private static final double[][] CENTERS = {{2, 0, 0, 1}, {-2, 2, 0, -1}, {0, -2, 2, 0}};

  final StreamlearnConfig config;
  final KafkaClients clients;
  final List<SnapshotEvent> events = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<AtomicBoolean> stops = new ArrayList<>();
  private final SplittableRandom rnd = new SplittableRandom(17);
  private int nextId;

  UpdaterFixture(String name, Map<String, String> overrides) throws Exception {
    Map<String, String> m = new HashMap<>(Map.of("model.name", "m", "updater.cache.dir", Files.createTempDirectory("cache").toString(),
        "updater.hidden.layers", "16", "updater.snapshot.every.records", "2000", "updater.snapshot.every.ms", "600000", "snapshot.signing.key", KEY,
        // These tests count the versions their triggers make; training at rest (its own versions) is RestTrainingIntegrationTest's.
        "updater.rest.epochs", "0"));
    m.putAll(overrides);
    config = RealKafka.config(name, m);
    clients = new KafkaClients(config);
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      p.send(new ProducerRecord<>(config.topic(TopicName.STATS), "spec".getBytes(StandardCharsets.UTF_8), Avro.SPEC.encode(SPEC)));
    }
  }

  /** Records from three well-separated Gaussian blobs; every tenth goes to eval. */
  void produce(int n) {
    produce(n, false);
  }

  /** @param corruptTrainLabels give training records a wrong label (eval stays right): a bad batch that makes the model worse */
  void produce(int n, boolean corruptTrainLabels) {
    produce(n, corruptTrainLabels, 0);
  }

  /** @param carried synthetic records each training record carries (as the rebalancer packs them), jittered copies of it */
  void produce(int n, boolean corruptTrainLabels, int carried) {
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (int i = 0; i < n; i++) {
        int c = rnd.nextInt(3);
        List<Double> x = new ArrayList<>();
        for (double center : CENTERS[c]) {
          x.add(center + 0.6 * rnd.nextGaussian());
        }
        boolean eval = nextId % 10 == 0;
        int label = corruptTrainLabels && !eval ? (c + 1) % 3 : c;
        ProcessedRecord r = ProcessedRecord.newBuilder().setId("r" + nextId++).setTs(nextId).setLabel(SPEC.getLabels().get(label)).setLabelIndex(label)
            .setFeatures(x).setSplit(eval ? Split.EVAL : Split.TRAIN).setStatsVersion(1).build();
        if (!eval && carried > 0) {
          List<ProcessedRecord> synthetic = new ArrayList<>();
          for (int k = 0; k < carried; k++) {
            synthetic.add(ProcessedRecord.newBuilder(r).setId(r.getId() + "#syn" + k).setSynthetic(true).setParents(List.of(r.getId(), r.getId()))
                .setFeatures(x.stream().map(v -> v + 0.1 * rnd.nextGaussian()).toList()).build());
          }
          r.setSynthetics(synthetic);
        }
        p.send(new ProducerRecord<>(config.topic(eval ? TopicName.EVAL : TopicName.TRAIN), r.getId().getBytes(StandardCharsets.UTF_8), Avro.PROCESSED.encode(r)));
      }
    }
  }

  Future<?> startUpdater() {
    AtomicBoolean stop = new AtomicBoolean();
    stops.add(stop);
    return executor.submit(() -> {
      try (ModelUpdater u = new ModelUpdater(config, events::add)) {
        u.run(stop);
      }
      return null;
    });
  }

  /** An updater whose events are kept apart from the fixture's first one. */
  record Instance(List<SnapshotEvent> events, AtomicBoolean stopFlag, Future<?> future) {
    void stop() throws Exception {
      stopFlag.set(true);
      future.get();
    }
  }

  Instance startSeparateUpdater() {
    List<SnapshotEvent> own = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    stops.add(stop);
    Future<?> fut = executor.submit(() -> {
      try (ModelUpdater u = new ModelUpdater(config, own::add)) {
        u.run(stop);
      }
      return null;
    });
    return new Instance(own, stop, fut);
  }

  /** Stops the updater started first by {@link #startUpdater()}. */
  void stopFirst() {
    stops.get(0).set(true);
  }

  List<SnapshotEvent.Published> published() {
    return events.stream().filter(e -> e instanceof SnapshotEvent.Published).map(e -> (SnapshotEvent.Published) e).toList();
  }

  @Override
  public void close() throws Exception {
    stops.forEach(s -> s.set(true));
    executor.shutdown();
    executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
