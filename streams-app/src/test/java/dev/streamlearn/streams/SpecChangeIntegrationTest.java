package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Another feature or label list configured over a running pipeline's state: refused at start, naming the way out,
 * which then works. (Before, the stream thread died restoring the rebalance stage, was replaced, and died again.)
 */
class SpecChangeIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @Test
  void aClassThatFirstAppearsLateInAFileProducedBeforeTheAppStartedIsInferred() throws Exception {
    // A data set sorted by class (as UCI's Satellite nearly is: 'red soil', a quarter of it, first appears after its first
    // thousand records), on the topic before the app starts: the warm-up alone would see one class.
    dev.streamlearn.schemas.RawEventParser parser = new dev.streamlearn.schemas.RawEventParser();
    List<String> sorted = new java.util.ArrayList<>(new DirtyStreamGenerator(3, 0.0, 0.0).generate(2000).lines());
    sorted.sort(java.util.Comparator.comparing(l -> {
      try {
        return DirtyStreamGenerator.LABELS.indexOf(parser.parse(l.getBytes(java.nio.charset.StandardCharsets.UTF_8)).label());
      } catch (dev.streamlearn.schemas.MalformedRecordException e) {
        throw new AssertionError(e);
      }
    }));
    for (String most : new String[] {"200", "100000"}) {
      StreamlearnConfig c = RealKafka.config("late-class", Map.of("topic.partitions", "1", "dataset.warmup.records", "200",
          "dataset.warmup.max.records", most));
      PreprocessIntegrationTest.createTopics(c);
      KafkaClients clients = new KafkaClients(c);
      PreprocessIntegrationTest.produce(clients, sorted);
      DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(30));
      if (most.equals("200")) {
        assertThat(spec.getLabels()).as("the warm-up alone").containsExactly("legit");
      } else {
        assertThat(spec.getLabels()).as("everything on the topic").containsExactlyInAnyOrderElementsOf(DirtyStreamGenerator.LABELS);
      }
    }
  }

  @Test
  void aRareClassAtTheEndOfAFileStillBeingProducedIsInferredAndAJunkLabelIsNot() throws Exception {
    // As Statlog Shuttle's 13 'Bpv.Open' records, last in its file of 58,000: the app starts while the producer is
    // still sending, so the end of the file arrives after the warm-up. A label seen twice is junk, not a class.
    List<String> lines = new java.util.ArrayList<>(new DirtyStreamGenerator(4, 0.0, 0.0).generate(20_000).lines());
    String last = lines.get(lines.size() - 1);
    for (int i = 0; i < 5; i++) {
      lines.add(last.replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"rare-" + i + "\"").replaceFirst("\"label\":\"[^\"]+\"", "\"label\":\"chargeback\""));
    }
    for (int i = 0; i < 2; i++) {
      lines.add(last.replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"typo-" + i + "\"").replaceFirst("\"label\":\"[^\"]+\"", "\"label\":\"legti\""));
    }
    StreamlearnConfig c = RealKafka.config("rare-late", Map.of("topic.partitions", "2", "dataset.warmup.records", "200"));
    PreprocessIntegrationTest.createTopics(c);
    KafkaClients clients = new KafkaClients(c);
    PreprocessIntegrationTest.produce(clients, lines.subList(0, 300));
    java.util.concurrent.CompletableFuture<Void> rest = java.util.concurrent.CompletableFuture.runAsync(() -> {
      // The rest over about 5 s (about 4,000 records/s, a bulk load), as a producer reading a large file would send it
      // (the pace is the input's shape).
      try (var p = clients.producer()) {
        for (int i = 300; i < lines.size(); i++) {
          p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(c.topic(TopicName.RAW),
              lines.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
          if (i % 400 == 0) {
            p.flush();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
          }
        }
      }
    });
    DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(30));
    rest.get();
    assertThat(spec.getLabels()).containsExactlyInAnyOrder("legit", "review", "fraud", "chargeback");
  }

  @Test
  void recordsThatCannotMakeASpecAreCountedByWhy() throws Exception {
    // UCI's congressional votes as R writes them: every attribute 'y' or 'n', so no record has a numeric feature.
    StreamlearnConfig c = RealKafka.config("no-numbers", Map.of("topic.partitions", "1"));
    PreprocessIntegrationTest.createTopics(c);
    KafkaClients clients = new KafkaClients(c);
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add("{\"id\":\"v" + i + "\",\"label\":\"" + (i % 2 == 0 ? "democrat" : "republican") + "\",\"features\":{\"V1\":\"y\",\"V2\":\"n\"}}");
    }
    lines.add("{\"label\":\"democrat\",\"features\":{\"V1\":1}}");
    lines.add("not json");
    PreprocessIntegrationTest.produce(clients, lines);
    assertThatThrownBy(() -> new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(5)))
        .hasMessageContaining("20 without a numeric feature (text values are metadata: encode categories as numbers)")
        .hasMessageContaining("1 without an id").hasMessageContaining("1 malformed");
  }

  @Test
  void labelsConfiguredAloneAreUsedAndTheFeaturesInferred() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(9, 0.0, 0.0).generate(300);
    // A class too rare to be inferred (none of the warm-up records has it) is configured: before, 'labels' alone was ignored.
    StreamlearnConfig c = RealKafka.config("labels-only", Map.of("topic.partitions", "1", "dataset.warmup.records", "200",
        "labels", "legit,review,fraud,chargeback"));
    PreprocessIntegrationTest.createTopics(c);
    KafkaClients clients = new KafkaClients(c);
    PreprocessIntegrationTest.produce(clients, data.lines());
    DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(30));
    assertThat(spec.getLabels()).containsExactly("legit", "review", "fraud", "chargeback");
    assertThat(spec.getFeatures()).containsExactlyInAnyOrderElementsOf(DirtyStreamGenerator.FEATURES);
    assertThat(spec.getSource()).isEqualTo("configured labels, inferred features");
    assertThat(DatasetSpecResolver.pinned(clients).orElseThrow().getLabels()).as("pinned as resolved").isEqualTo(spec.getLabels());
    // A restart with the same setting: the same spec, from the pinned features.
    assertThat(new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(10)).getFeatures()).isEqualTo(spec.getFeatures());
  }

  @Test
  void anotherSpecOverExistingStateIsRefusedUntilAReplayWithRespec() throws Exception {
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(5, 0.0, 0.0).generate(1000);
    Map<String, String> first = new HashMap<>(Map.of("topic.partitions", "1", "rebalance.settle.idle.ms", "0",
        "features", String.join(",", DirtyStreamGenerator.FEATURES), "labels", String.join(",", DirtyStreamGenerator.LABELS)));
    StreamlearnConfig a = RealKafka.config("respec", first);
    PreprocessIntegrationTest.createTopics(a);
    KafkaClients clientsA = new KafkaClients(a);
    DatasetSpec specA = new DatasetSpecResolver(clientsA).resolve(Duration.ofSeconds(10));
    try (PreprocessApp app = new PreprocessApp(a, specA, Files.createTempDirectory("respec-a").toString())) {
      app.start();
      PreprocessIntegrationTest.produce(clientsA, data.lines().subList(0, 500));
      await().atMost(PATIENCE).until(() -> PipelineReport.read(clientsA).raw() == 500);
    }

    // One feature fewer (the records' extra one dropped), and the labels in another order with one more.
    List<String> fewer = DirtyStreamGenerator.FEATURES.subList(0, DirtyStreamGenerator.FEATURES.size() - 1);
    Map<String, String> second = new HashMap<>(a.originalsStrings());
    second.put("features", String.join(",", fewer));
    second.put("labels", "fraud,review,legit,chargeback");
    second.put("extra", "drop");
    StreamlearnConfig b = StreamlearnConfig.of(second);
    KafkaClients clientsB = new KafkaClients(b);
    assertThatThrownBy(() -> new DatasetSpecResolver(clientsB).resolve(Duration.ofSeconds(10)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replay --respec")
        .hasMessageContaining("labels=[legit, review, fraud]");
    // One list alone is a change too (here the labels, reordered): the other is taken from the pinned spec.
    Map<String, String> labelsOnly = new HashMap<>(a.originalsStrings());
    labelsOnly.remove("features");
    labelsOnly.put("labels", "fraud,review,legit");
    assertThatThrownBy(() -> new DatasetSpecResolver(new KafkaClients(StreamlearnConfig.of(labelsOnly))).resolve(Duration.ofSeconds(10)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("labels=[fraud, review, legit]").hasMessageContaining("compared in order");
    assertThat(DatasetSpecResolver.pinned(clientsB).orElseThrow().getFeatures()).as("the pinned spec is left as it was")
        .isEqualTo(DirtyStreamGenerator.FEATURES);
    // The same lists again are no change of shape: no refusal.
    assertThat(new DatasetSpecResolver(clientsA).resolve(Duration.ofSeconds(10)).getFeatures()).isEqualTo(DirtyStreamGenerator.FEATURES);

    // The way out the message names: the replay with --respec deletes the state; the new spec then runs from the start.
    new PipelineReset(clientsB, null, true, true).execute();
    DatasetSpec specB = new DatasetSpecResolver(clientsB).resolve(Duration.ofSeconds(10));
    assertThat(specB.getFeatures()).isEqualTo(fewer);
    try (PreprocessApp app = new PreprocessApp(b, specB, Files.createTempDirectory("respec-b").toString())) {
      app.start();
      PreprocessIntegrationTest.produce(clientsB, data.lines().subList(500, 1000));
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
        PipelineReport r = PipelineReport.read(clientsB);
        return r.raw() == 1000 && r.reconciles();
      });
    }
    List<ProcessedRecord> train = PreprocessIntegrationTest.read(clientsB, b.topic(TopicName.TRAIN));
    assertThat(train).isNotEmpty().allSatisfy(r -> assertThat(r.getFeatures()).hasSize(fewer.size()));
  }
}
