package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Personal data in every place a record can carry it (top level, nested metadata objects, a
 * feature slot, an Avro record, a rejected record, a record that does not even parse, the
 * producer's key) never appears in clear in any topic streamlearn writes, nor in the state
 * directory. records.raw is the input itself and is not scanned.
 */
class PiiNeverInClearIntegrationTest {

  private static final List<String> SECRETS = List.of("alice@example.org", "078-05-1120", "bob@example.net", "carol@example.com",
      "dave@example.io", "erin@example.de", "frank");

  @Test
  void noTopicAndNoStateFileHoldsAClearValue() throws Exception {
    StreamlearnConfig config = RealKafka.config("pii", Map.of("topic.partitions", "2", "stats.publish.interval.ms", "200",
        "features", "f0,f1", "labels", "a,b", "pii.fields", "email,ssn", "pii.mode", "hash", "pii.secret", "s3cret-key",
        "streams.clean.topic.enabled", "true"));
    KafkaClients clients = new KafkaClients(config);
    PreprocessIntegrationTest.createTopics(config);
    DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(30));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add("{\"id\":\"ok" + i + "\",\"label\":\"" + (i % 3 == 0 ? "b" : "a") + "\",\"features\":{\"f0\":" + i + ",\"f1\":" + (i % 7)
          + "},\"email\":\"alice@example.org\"}");
    }
    lines.add("{\"id\":\"n1\",\"label\":\"a\",\"features\":{\"f0\":1,\"f1\":2,\"ssn\":\"078-05-1120\"},"
        + "\"metadata\":{\"contact\":{\"email\":\"bob@example.net\",\"phones\":[{\"ssn\":\"078-05-1120\"}]}}}");
    lines.add("{\"id\":\"r1\",\"label\":\"zebra\",\"features\":{\"f0\":1,\"f1\":2},\"email\":\"carol@example.com\"}"); // UNKNOWN_LABEL
    lines.add("{\"id\":\"r2\",\"label\":\"a\",\"email\":frank@example.fr}"); // the parser's message would quote the token
    lines.add("{\"id\":\"r3\",\"label\":\"a\",\"email\":\"dave@example.io\",\"features\":{\"f0\":1,\"f1\":"); // MALFORMED: cannot be scrubbed
    String dir = Files.createTempDirectory("pii-state").toString();
    try (PreprocessApp app = new PreprocessApp(config, spec, dir);
         KafkaProducer<byte[], byte[]> p = clients.producer()) {
      app.start();
      String raw = config.topic(TopicName.RAW);
      for (String l : lines) {
        p.send(new ProducerRecord<>(raw, l.getBytes(StandardCharsets.UTF_8)));
      }
      p.send(new ProducerRecord<>(raw, Avro.LABELED.encode(LabeledRecord.newBuilder().setId("av1").setTs(5).setLabel("nope")
          .setFeatures(Map.of("f0", 1.0, "f1", 2.0)).setMetadata(Map.of("email", "erin@example.de", "ssn", "078-05-1120")).build())));
      p.send(new ProducerRecord<>(raw, "erin@example.de".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8)));
      p.flush();
      long sent = lines.size() + 2;
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
        PipelineReport r = PipelineReport.read(clients);
        return r.raw() == sent && r.reconciles();
      });
    }

    // The DLQ holds what it can of each rejected record, scrubbed, and the withheld one by fingerprint.
    List<RejectedRecord> dlq = new ArrayList<>();
    new TopicReader(clients).readAll(config.topic(TopicName.DLQ), r -> dlq.add(Avro.REJECTED.decode(r.value())));
    assertThat(dlq).hasSize(5);
    assertThat(dlq).filteredOn(r -> r.getMessage().contains("original withheld")).hasSize(3)
        .allSatisfy(r -> assertThat(r.getMessage()).contains("sha256"));
    assertThat(dlq).filteredOn(r -> r.getOriginal().remaining() > 0).hasSize(2);

    // Every topic this pipeline writes (internal ones included), every state file: no clear value.
    List<String> found = new ArrayList<>();
    try (Admin admin = clients.admin()) {
      TreeSet<String> topics = new TreeSet<>(admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true)).names().get());
      topics.removeIf(t -> !t.startsWith(config.getString(StreamlearnConfig.TOPIC_PREFIX)) || t.equals(config.topic(TopicName.RAW)));
      assertThat(topics).contains(config.topic(TopicName.DLQ), config.topic(TopicName.CLEAN), config.topic(TopicName.STATS))
          .anyMatch(t -> t.endsWith("-changelog")).anyMatch(t -> t.endsWith("-repartition"));
      for (String topic : topics) {
        new TopicReader(clients).readAll(topic, r -> {
          for (byte[] b : new byte[][] {r.key(), r.value()}) {
            String hit = clearValueIn(b);
            if (hit != null) {
              found.add(topic + "@" + r.partition() + ":" + r.offset() + " holds " + hit);
            }
          }
        });
      }
    }
    try (Stream<Path> files = Files.walk(Path.of(dir))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String hit = clearValueIn(readQuietly(f));
        if (hit != null) {
          found.add(f + " holds " + hit);
        }
      }
    }
    assertThat(found).isEmpty();
  }

  private static String clearValueIn(byte[] b) {
    if (b == null) {
      return null;
    }
    String s = new String(b, StandardCharsets.ISO_8859_1); // byte-for-byte, whatever the encoding
    return SECRETS.stream().filter(s::contains).findFirst().orElse(null);
  }

  private static byte[] readQuietly(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      return null; // a lock file or one RocksDB removed meanwhile
    }
  }
}
