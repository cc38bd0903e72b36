package dev.streamlearn.cli;

import dev.streamlearn.core.IdKey;
import static org.assertj.core.api.Assertions.assertThat;
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
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.streams.PreprocessApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A record dead-lettered for a reason a configuration change fixes, sent back with 'dlq reprocess',
 * lands on records.train/records.eval exactly once, and sending it again does not duplicate it; a
 * record rejected again keeps its reprocess count on its new dead letter.
 */
class DlqReprocessIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void aFixedDeadLetterLandsOnceAndAgainIsADuplicate() throws Exception {
    StreamlearnConfig config = RealKafka.config("dlq-reprocess",
        Map.of("topic.partitions", "2", "normalize.warmup.records", "0", "stats.publish.interval.ms", "200"));
    KafkaClients clients = new KafkaClients(config);
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
    DatasetSpec rejectMissing = DatasetSpec.newBuilder().setFeatures(List.of("a", "b")).setLabels(List.of("x", "y")).setMissing("reject").build();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add("{\"id\":\"g" + i + "\",\"label\":\"" + (i % 2 == 0 ? "x" : "y") + "\",\"features\":{\"a\":" + i + ",\"b\":" + (20 - i) + "}}");
    }
    lines.add("{\"id\":\"m1\",\"label\":\"x\",\"features\":{\"a\":3.5}}"); // missing b: rejected while missing=reject
    lines.add("{\"id\":\"u1\",\"label\":\"nope\",\"features\":{\"a\":1,\"b\":2}}"); // an unknown label: no configuration fixes it
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (String l : lines) {
        byte[] v = l.getBytes(StandardCharsets.UTF_8);
        p.send(new ProducerRecord<>(config.topic(TopicName.RAW), IdKey.of(v), v));
      }
    }
    try (PreprocessApp app = new PreprocessApp(config, rejectMissing, Files.createTempDirectory("dlq-a").toString())) {
      app.start();
      await().atMost(PATIENCE).until(() -> deadLetters(clients, config).size() == 2);
    }
    assertThat(deadLetters(clients, config)).extracting(r -> Avro.REJECTED.decode(r.value()).getReason())
        .containsExactlyInAnyOrder("MISSING_FEATURE", "UNKNOWN_LABEL");

    // The fix: missing features are imputed from now on (the restarted app re-pins the policy).
    DatasetSpec impute = DatasetSpec.newBuilder(rejectMissing).setMissing("impute-mean").build();
    String[] cluster = {"-b", config.getString(StreamlearnConfig.BOOTSTRAP), "-D", "topic.prefix=" + config.getString(StreamlearnConfig.TOPIC_PREFIX)};
    try (PreprocessApp app = new PreprocessApp(config, impute, Files.createTempDirectory("dlq-b").toString())) {
      app.start();
      String plan = cli(cluster, "dlq", "reprocess", "--reason", "MISSING_FEATURE");
      assertThat(plan).contains("1 record(s) to send back", "MISSING_FEATURE", "m1", "nothing sent");
      assertThat(new TopicReader(clients).readAll(config.topic(TopicName.RAW))).as("a plan changes nothing").hasSize(lines.size());

      assertThat(cli(cluster, "dlq", "reprocess", "--reason", "MISSING_FEATURE", "--yes")).contains("sent 1 record(s)");
      await().atMost(PATIENCE).until(() -> landed(clients, config, "m1") == 1);

      // Sent back again (it is still on the DLQ): dedup knows its id, so it is a duplicate, not a second training record.
      assertThat(cli(cluster, "dlq", "reprocess", "--ids", "m1", "--yes")).contains("sent 1 record(s)");
      await().atMost(PATIENCE).until(() -> PipelineReport.read(clients).duplicates() >= 1);
      assertThat(landed(clients, config, "m1")).as("exactly once on records.train/records.eval").isEqualTo(1);

      // Rejected again: the new dead letter carries the count, and the next plan says so.
      assertThat(cli(cluster, "dlq", "reprocess", "--ids", "u1", "--yes")).contains("sent 1 record(s)");
      await().atMost(PATIENCE).until(() -> deadLetters(clients, config).stream().anyMatch(r -> DlqReprocessor.reprocessed(r) == 1));
      assertThat(cli(cluster, "dlq", "reprocess", "--ids", "u1")).contains("1 record(s) to send back", "(2 matching dead letter(s))", "sent back before: 1");
      assertThat(cli(cluster, "dlq", "reprocess", "--ids", "u1", "--yes")).contains("sent 1 record(s)");
      await().atMost(PATIENCE).until(() -> deadLetters(clients, config).stream().anyMatch(r -> DlqReprocessor.reprocessed(r) == 2));
    }
  }

  @Test
  void piiScrubbedLettersAreWithheldAndTheSelectionIsMadeOnTheNewestDeadLetter() throws Exception {
    StreamlearnConfig config = RealKafka.config("dlq-pii",
        Map.of("topic.partitions", "2", "normalize.warmup.records", "0", "stats.publish.interval.ms", "200"));
    Map<String, String> withPii = new java.util.TreeMap<>(Map.of("topic.partitions", "2", "normalize.warmup.records", "0",
        "stats.publish.interval.ms", "200", "pii.fields", "email"));
    withPii.put(StreamlearnConfig.BOOTSTRAP, config.getString(StreamlearnConfig.BOOTSTRAP));
    withPii.put(StreamlearnConfig.TOPIC_PREFIX, config.getString(StreamlearnConfig.TOPIC_PREFIX));
    StreamlearnConfig piiConfig = StreamlearnConfig.of(withPii);
    KafkaClients clients = new KafkaClients(config);
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
    String raw = config.topic(TopicName.RAW);
    DatasetSpec rejectMissing = DatasetSpec.newBuilder().setFeatures(List.of("a", "b")).setLabels(List.of("x", "y")).setMissing("reject").build();
    long m1Time = System.currentTimeMillis() - 60_000;
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      for (int i = 0; i < 10; i++) {
        send(p, raw, null, "{\"id\":\"g" + i + "\",\"label\":\"" + (i % 2 == 0 ? "x" : "y") + "\",\"features\":{\"a\":" + i + ",\"b\":1}}");
      }
      send(p, raw, m1Time, "{\"id\":\"m1\",\"label\":\"x\",\"features\":{\"a\":3.5}}"); // MISSING_FEATURE
      send(p, raw, null, "{\"id\":\"k1\",\"label\":\"x\",\"features\":{\"a\":1}}"); // MISSING_FEATURE, later rejected otherwise
      p.send(new ProducerRecord<>(raw, new byte[0])); // MALFORMED: an original that is genuinely empty
    }
    try (PreprocessApp app = new PreprocessApp(config, rejectMissing, Files.createTempDirectory("dlq-p1").toString())) {
      app.start();
      await().atMost(PATIENCE).until(() -> deadLetters(clients, config).size() == 3);
    }

    // Now with pii.fields set (and missing features imputed): k1 comes again with an unknown label, and a record that cannot be scrubbed.
    try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
      send(p, raw, null, "{\"id\":\"k1\",\"label\":\"nope\",\"features\":{\"a\":1,\"b\":2},\"email\":\"k@example.com\"}");
      send(p, raw, null, "not json {\"email\":\"k@example.com\"");
      // And what is no dead letter on the DLQ: a tombstone and junk.
      p.send(new ProducerRecord<>(config.topic(TopicName.DLQ), "x".getBytes(StandardCharsets.UTF_8), null));
      p.send(new ProducerRecord<>(config.topic(TopicName.DLQ), "x".getBytes(StandardCharsets.UTF_8), "junk".getBytes(StandardCharsets.UTF_8)));
    }
    DatasetSpec impute = DatasetSpec.newBuilder(rejectMissing).setMissing("impute-mean").build();
    String[] cluster = {"-b", config.getString(StreamlearnConfig.BOOTSTRAP), "-D", "topic.prefix=" + config.getString(StreamlearnConfig.TOPIC_PREFIX)};
    try (PreprocessApp app = new PreprocessApp(piiConfig, impute, Files.createTempDirectory("dlq-p2").toString())) {
      app.start();
      await().atMost(PATIENCE).until(() -> deadLetters(clients, config).size() == 7);

      // k1's newest dead letter is UNKNOWN_LABEL: --reason MISSING_FEATURE selects m1 only, although k1 once was one.
      String missing = cli(cluster, "dlq", "reprocess", "--reason", "MISSING_FEATURE");
      assertThat(missing).contains("1 record(s) to send back", "m1").doesNotContain("k1");
      // k1's newest original is the scrubbed copy: never sent as if it were the record.
      assertThat(cli(cluster, "dlq", "reprocess", "--ids", "k1")).contains("0 record(s) to send back", "(2 matching dead letter(s))",
          "withheld: 1 scrubbed of PII", "fix at the source and produce again");
      // The empty original is sent as it arrived; the one that could not be scrubbed is withheld; junk and tombstone are counted.
      assertThat(cli(cluster, "dlq", "reprocess", "--reason", "malformed")).contains("1 record(s) to send back", "withheld: 1 with no original",
          "1 unreadable record(s), 1 tombstone(s)").doesNotContain("scrubbed of PII");

      assertThat(cli(cluster, "dlq", "--limit", "0")).contains("5 rejected record(s)", "and 2 record(s) that are no dead letter");

      Cli bad = run(cluster, "dlq", "reprocess", "--reason", "NOPE");
      assertThat(bad.code()).isEqualTo(2);
      assertThat(bad.err()).contains("NOPE", "MISSING_FEATURE", "UNKNOWN_LABEL");

      Cli partly = run(cluster, "dlq", "reprocess", "--ids", " m1 , zz9", "--yes");
      assertThat(partly.code()).as("an id with no dead letter").isEqualTo(1);
      assertThat(partly.out()).contains("no dead letter has id(s): zz9", "sent 1 record(s)");
      ConsumerRecord<byte[], byte[]> resent = new TopicReader(clients).readAll(raw).stream()
          .filter(r -> r.headers().lastHeader(DlqReprocessor.HEADER) != null).findFirst().orElseThrow();
      assertThat(new String(resent.key(), StandardCharsets.UTF_8)).isEqualTo("m1");
      assertThat(resent.timestamp()).as("the rejected record's own timestamp").isEqualTo(m1Time);
      await().atMost(PATIENCE).until(() -> landed(clients, config, "m1") == 1);
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> p, String topic, Long timestamp, String line) {
    byte[] v = line.getBytes(StandardCharsets.UTF_8);
    p.send(new ProducerRecord<>(topic, null, timestamp, IdKey.of(v), v));
  }

  private static List<ConsumerRecord<byte[], byte[]>> deadLetters(KafkaClients clients, StreamlearnConfig config) {
    return new TopicReader(clients).readAll(config.topic(TopicName.DLQ));
  }

  /** Real (not synthetic) records with this id on records.train and records.eval. */
  private static long landed(KafkaClients clients, StreamlearnConfig config, String id) {
    long n = 0;
    for (TopicName t : List.of(TopicName.TRAIN, TopicName.EVAL)) {
      for (ConsumerRecord<byte[], byte[]> r : new TopicReader(clients).readAll(config.topic(t))) {
        ProcessedRecord p = Avro.PROCESSED.decode(r.value());
        if (!p.getSynthetic() && p.getId().equals(id)) {
          n++;
        }
      }
    }
    return n;
  }

  record Cli(int code, String out, String err) {}

  /** Runs the CLI: its exit code, stdout and stderr. */
  private static Cli run(String[] cluster, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(cluster));
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = Main.commandLine().execute(all.toArray(String[]::new));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    Cli c = new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    savedOut.print(c.out());
    savedErr.print(c.err());
    return c;
  }

  /** Runs the CLI and returns what it printed on stdout; fails unless it exits 0. */
  private static String cli(String[] cluster, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(cluster));
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      code = Main.commandLine().execute(all.toArray(String[]::new));
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    saved.print(text);
    assertThat(code).as(text).isZero();
    return text;
  }
}
