package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.streams.clean.RejectReason;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The topology on a real broker: several partitions and instances, restarts, and reconciled counts. */
class PreprocessIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void twoInstancesOnFourPartitionsEmitEveryValidUniqueRecordOnceAndMergeToTheBatchStats() throws Exception {
    StreamlearnConfig config = RealKafka.config("two-instances", Map.of("topic.partitions", "4", "stats.publish.interval.ms", "200"));
    KafkaClients clients = new KafkaClients(config);
    createTopics(config);
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(11, 0.03, 0.04).generate(6000);
    // The spec is inferred from the data, as a user without configuration would get it.
    produce(clients, data.lines().subList(0, 500));
    DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(60));
    assertThat(spec.getFeatures()).containsExactlyInAnyOrderElementsOf(DirtyStreamGenerator.FEATURES);
    assertThat(spec.getLabels()).containsExactlyInAnyOrder("fraud", "legit", "review");

    try (PreprocessApp a = new PreprocessApp(config, spec, Files.createTempDirectory("a").toString());
         PreprocessApp b = new PreprocessApp(config, spec, Files.createTempDirectory("b").toString())) {
      a.start();
      b.start();
      // Every other record keyed by its id: those skip the repartition topic, and their duplicates (keyed or not) must still meet them.
      produceKeyedByIdEveryOther(clients, data.lines().subList(500, data.lines().size()));
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
        PipelineReport r = PipelineReport.read(clients);
        return r.raw() == data.lines().size() && r.reconciles() && r.clean() == data.valid() && r.owed() == 0;
      });
      assertThat(a.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(b.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    PipelineReport r = PipelineReport.read(clients);
    assertThat(r.duplicates()).isEqualTo(data.duplicates());
    Map<String, Long> expectedDlq = new HashMap<>();
    data.rejected().forEach((k, v) -> expectedDlq.put(k.name(), v));
    assertThat(r.dlq()).isEqualTo(expectedDlq);
    assertThat(r.classes()).isEqualTo(data.classes());

    // records.clean is off by default: the real records of records.train and records.eval are every valid unique record once.
    assertThat(read(clients, config.topic(TopicName.CLEAN))).isEmpty();
    List<ProcessedRecord> clean = new ArrayList<>(read(clients, config.topic(TopicName.EVAL)));
    read(clients, config.topic(TopicName.TRAIN)).stream().filter(p -> !p.getSynthetic()).forEach(clean::add);
    assertThat(clean).extracting(ProcessedRecord::getId).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(data.validIds());
    List<RejectedRecord> dlq = new ArrayList<>();
    new TopicReader(clients).readAll(config.topic(TopicName.DLQ), rec -> dlq.add(Avro.REJECTED.decode(rec.value())));
    assertThat(dlq).hasSize((int) r.dlqTotal());

    // Global stats merged from 4 partitions equal one batch pass over the valid unique records.
    for (int f = 0; f < spec.getFeatures().size(); f++) {
      int src = DirtyStreamGenerator.FEATURES.indexOf(spec.getFeatures().get(f));
      double[] col = data.validFeatures().stream().mapToDouble(x -> x[src]).toArray();
      double mean = java.util.Arrays.stream(col).average().orElseThrow();
      double sd = Math.sqrt(java.util.Arrays.stream(col).map(v -> (v - mean) * (v - mean)).sum() / col.length);
      assertThat(r.normalizer().mean(f)).isCloseTo(mean, within(1e-9 * Math.max(1, Math.abs(mean))));
      assertThat(r.normalizer().std(f)).isCloseTo(sd, within(1e-9 * Math.max(1, sd)));
    }

    // Train and eval never share an id; train is balanced within 2% of 1:1 per class against the largest.
    List<ProcessedRecord> train = read(clients, config.topic(TopicName.TRAIN));
    // Synthetic records made while records flow travel inside their real record; only settling ones stand alone.
    assertThat(recordsOn(clients, config.topic(TopicName.TRAIN)))
        .isEqualTo(train.stream().filter(t -> !t.getSynthetic() || t.getId().contains("#settle")).count());
    List<ProcessedRecord> eval = read(clients, config.topic(TopicName.EVAL));
    var evalIds = eval.stream().map(ProcessedRecord::getId).collect(Collectors.toSet());
    assertThat(train).noneMatch(t -> evalIds.contains(t.getId()) || t.getParents().stream().anyMatch(evalIds::contains));
    Map<String, Long> perClass = train.stream().collect(Collectors.groupingBy(ProcessedRecord::getLabel, Collectors.counting()));
    long max = perClass.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    perClass.values().forEach(v -> assertThat((double) v / max).isCloseTo(1.0, within(0.02)));
    assertThat(r.trainClasses()).isEqualTo(perClass);
  }

  @Test
  void aRestartInTheMiddleRestoresStateAndChangesNoOutput() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(5, 0.02, 0.05).generate(3000);
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES).setLabels(DirtyStreamGenerator.LABELS).build();

    // Reference: one uninterrupted run (one partition, so the order and thus every value is deterministic).
    // Settling at rest is off: where it happens depends on where the stream pauses, and the two runs pause differently.
    StreamlearnConfig ref = RealKafka.config("restart-ref", Map.of("topic.partitions", "1", "rebalance.settle.idle.ms", "0", "streams.clean.topic.enabled", "true"));
    createTopics(ref);
    KafkaClients refClients = new KafkaClients(ref);
    try (PreprocessApp app = new PreprocessApp(ref, spec, Files.createTempDirectory("ref").toString())) {
      app.start();
      produce(refClients, data.lines());
      awaitCaughtUp(refClients, data.lines().size());
    }

    // Interrupted run: stop half-way, wipe the local state so it must come back from the changelogs, resume.
    StreamlearnConfig cut = RealKafka.config("restart-cut", Map.of("topic.partitions", "1", "rebalance.settle.idle.ms", "0", "streams.clean.topic.enabled", "true"));
    createTopics(cut);
    KafkaClients cutClients = new KafkaClients(cut);
    int half = data.lines().size() / 2;
    try (PreprocessApp app = new PreprocessApp(cut, spec, Files.createTempDirectory("cut1").toString())) {
      app.start();
      produce(cutClients, data.lines().subList(0, half));
      awaitCaughtUp(cutClients, half);
    }
    try (PreprocessApp app = new PreprocessApp(cut, spec, Files.createTempDirectory("cut2").toString())) {
      app.start();
      produce(cutClients, data.lines().subList(half, data.lines().size()));
      awaitCaughtUp(cutClients, data.lines().size());
    }

    for (TopicName t : List.of(TopicName.CLEAN, TopicName.TRAIN, TopicName.EVAL)) {
      assertThat(read(cutClients, cut.topic(t))).as(t.suffix()).containsExactlyElementsOf(read(refClients, ref.topic(t)));
    }
    assertThat(PipelineReport.read(cutClients).duplicates()).isEqualTo(data.duplicates());
  }

  @Test
  void aReplayAfterResetRebuildsTheSameOutputsAndCounts() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(8, 0.03, 0.05).generate(1500);
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES).setLabels(DirtyStreamGenerator.LABELS).build();
    StreamlearnConfig config = RealKafka.config("replay", Map.of("topic.partitions", "1", "rebalance.settle.idle.ms", "0", "streams.clean.topic.enabled", "true"));
    createTopics(config);
    KafkaClients clients = new KafkaClients(config);
    produce(clients, data.lines());
    try (PreprocessApp app = new PreprocessApp(config, spec, Files.createTempDirectory("run1").toString())) {
      app.start();
      awaitCaughtUp(clients, data.lines().size());
    }
    List<ProcessedRecord> first = read(clients, config.topic(TopicName.CLEAN));
    List<ProcessedRecord> firstTrain = read(clients, config.topic(TopicName.TRAIN));

    PipelineReset.Plan plan = new PipelineReset(clients, null, true, false).execute();
    assertThat(plan.internalTopics()).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith(config.applicationId()));
    assertThat(read(clients, config.topic(TopicName.CLEAN))).as("outputs truncated").isEmpty();
    assertThat(PipelineReport.read(clients).raw()).as("reports cleared").isZero();

    try (PreprocessApp app = new PreprocessApp(config, spec, Files.createTempDirectory("run2").toString())) {
      app.start();
      awaitCaughtUp(clients, data.lines().size());
    }
    PipelineReport r = PipelineReport.read(clients);
    assertThat(r.duplicates()).as("dedup state restarted empty").isEqualTo(data.duplicates());
    assertThat(read(clients, config.topic(TopicName.CLEAN))).containsExactlyElementsOf(first);
    assertThat(read(clients, config.topic(TopicName.TRAIN))).containsExactlyElementsOf(firstTrain);
  }

  @Test
  void aTaskStoppedWithSyntheticRecordsOwedSettlesAfterARestartWithoutNewRecords() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(13, 0.0, 0.0).generate(3000);
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES).setLabels(DirtyStreamGenerator.LABELS).build();
    // First run: records flow and the app stops before the partition was ever at rest long enough to settle.
    StreamlearnConfig busy = RealKafka.config("settle-restart", Map.of("topic.partitions", "1", "rebalance.settle.idle.ms", "3600000"));
    createTopics(busy);
    KafkaClients clients = new KafkaClients(busy);
    produce(clients, data.lines());
    String stateDir = Files.createTempDirectory("settle").toString();
    try (PreprocessApp app = new PreprocessApp(busy, spec, stateDir)) {
      app.start();
      awaitCaughtUp(clients, data.lines().size());
    }
    PipelineReport owing = PipelineReport.read(clients);
    assertThat(owing.owed()).as("gaps inside the flow margin are still open").isPositive();

    // Restarted with fresh local state (restored from the changelog) and no new record: it settles all the same.
    Map<String, String> same = new HashMap<>(busy.originalsStrings());
    same.put("rebalance.settle.idle.ms", "500");
    StreamlearnConfig resting = StreamlearnConfig.of(same);
    try (PreprocessApp app = new PreprocessApp(resting, spec, Files.createTempDirectory("settle2").toString())) {
      app.start();
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> PipelineReport.read(clients).owed() == 0);
    }
    PipelineReport settled = PipelineReport.read(clients);
    List<ProcessedRecord> train = read(clients, busy.topic(TopicName.TRAIN));
    Map<String, Long> perClass = train.stream().collect(Collectors.groupingBy(ProcessedRecord::getLabel, Collectors.counting()));
    assertThat(perClass).isEqualTo(settled.trainClasses()).isEqualTo(settled.trainTargets());
    assertThat(settled.synthetic() - owing.synthetic()).isEqualTo(owing.owed());
    assertThat(train.stream().filter(r -> r.getId().contains("#settle"))).hasSize((int) owing.owed())
        .allSatisfy(r -> assertThat(r.getSynthetic()).isTrue());
  }

  /** Every raw record accounted for (the restart test settles nothing: it runs with rebalance.settle.idle.ms=0). */
  private static void awaitCaughtUp(KafkaClients clients, long raw) {
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
      PipelineReport r = PipelineReport.read(clients);
      return r.raw() == raw && r.reconciles();
    });
  }

  static void createTopics(StreamlearnConfig config) throws Exception {
    try (Admin admin = new KafkaClients(config).admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
  }

  static void produce(KafkaClients clients, List<String> lines) {
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (String l : lines) {
        p.send(new ProducerRecord<>(clients.config().topic(TopicName.RAW), l.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  private static void produceKeyedByIdEveryOther(KafkaClients clients, List<String> lines) {
    dev.streamlearn.schemas.RawEventParser parser = new dev.streamlearn.schemas.RawEventParser();
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (int i = 0; i < lines.size(); i++) {
        byte[] value = lines.get(i).getBytes(StandardCharsets.UTF_8);
        byte[] key = null;
        try {
          String id = parser.parse(value).id();
          key = i % 2 == 0 && id != null ? id.getBytes(StandardCharsets.UTF_8) : null;
        } catch (dev.streamlearn.schemas.MalformedRecordException e) {
          // no key: the clean stage rejects it
        }
        p.send(new ProducerRecord<>(clients.config().topic(TopicName.RAW), key, value));
      }
    }
  }

  /** A topic's records, unpacked: each followed by the synthetic records it carries (records.train only carries any). */
  static List<ProcessedRecord> read(KafkaClients clients, String topic) {
    List<ProcessedRecord> out = new ArrayList<>();
    new TopicReader(clients).readAll(topic, r -> out.addAll(dev.streamlearn.schemas.TrainingRecords.unpack(Avro.PROCESSED.decode(r.value()))));
    return out;
  }

  static long recordsOn(KafkaClients clients, String topic) {
    long[] n = {0};
    new TopicReader(clients).readAll(topic, r -> n[0]++);
    return n[0];
  }

}
