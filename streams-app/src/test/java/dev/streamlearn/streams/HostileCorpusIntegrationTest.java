package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicReader;
import dev.streamlearn.schemas.Avro;
import dev.streamlearn.streams.hostile.HostileCorpus;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The hostile corpus sent to a real broker by a producer that is not streamlearn's (kcat when
 * installed, else a bare KafkaProducer built here from plain properties), in the middle of a valid
 * stream, while a real streams app follows: it stays up, the counts reconcile, every designed
 * entry lands in the DLQ with its reason and its exact bytes, the normalizer stays finite, and
 * duplicates sent after the hostile records are still caught.
 */
class HostileCorpusIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void theAppSurvivesTheCorpusAndEveryCountReconciles() throws Exception {
    StreamlearnConfig config = RealKafka.config("hostile",
        Map.of("topic.partitions", "2", "stats.publish.interval.ms", "200", "features", "f0,f1", "labels", "a,b",
            "streams.clean.topic.enabled", "true"));
    KafkaClients clients = new KafkaClients(config);
    PreprocessIntegrationTest.createTopics(config);
    DatasetSpec spec = new DatasetSpecResolver(clients).resolve(Duration.ofSeconds(30)); // configured, so pinned at once
    Map<String, HostileCorpus.Entry> corpus = HostileCorpus.load(HostileCorpus.DIR);

    List<String> before = stream(0, 600);
    List<String> after = stream(600, 1000);
    List<String> duplicates = before.subList(0, 25); // resent after the hostile records

    AtomicReference<KafkaStreams.State> worst = new AtomicReference<>(KafkaStreams.State.CREATED);
    String producer;
    try (PreprocessApp app = new PreprocessApp(config, spec, Files.createTempDirectory("hostile").toString())) {
      app.streams().setStateListener((now, old) -> {
        if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
          worst.set(now);
        }
      });
      app.start();
      PreprocessIntegrationTest.produce(clients, before);
      producer = sendWithForeignProducer(config, corpus);
      PreprocessIntegrationTest.produce(clients, after);
      PreprocessIntegrationTest.produce(clients, duplicates);

      long sent = before.size() + corpus.size() + after.size() + duplicates.size();
      AtomicReference<PipelineReport> last = new AtomicReference<>();
      try {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
          PipelineReport r = PipelineReport.read(clients);
          last.set(r);
          return r.raw() == sent && r.reconciles();
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("sent " + sent + ", app " + app.streams().state() + ", last report " + last.get(), e);
      }
      assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(worst.get()).as("the app never went to ERROR").isEqualTo(KafkaStreams.State.CREATED);
    }
    System.out.printf("hostile corpus: %d records sent with %s%n", corpus.size(), producer);

    PipelineReport r = PipelineReport.read(clients);
    assertThat(r.reconciles()).isTrue();
    for (int i = 0; i < 2; i++) {
      assertThat(r.normalizer().mean(i)).isFinite();
      assertThat(r.normalizer().variance(i)).isFinite();
    }

    // Every designed entry is in the DLQ with its reason and its exact bytes; nothing else is.
    List<RejectedRecord> dlq = new ArrayList<>();
    new TopicReader(clients).readAll(config.topic(TopicName.DLQ), rec -> dlq.add(Avro.REJECTED.decode(rec.value())));
    assertThat(dlq).hasSize((int) r.dlqTotal());
    Map<String, List<String>> dlqByBytes = dlq.stream().collect(Collectors.groupingBy(d -> hex(d.getOriginal()),
        Collectors.mapping(RejectedRecord::getReason, Collectors.toList())));
    List<String> corpusBytes = corpus.values().stream().map(e -> HexFormat.of().formatHex(e.bytes())).toList();
    assertThat(corpusBytes).containsAll(dlqByBytes.keySet());
    // (Two entries may hold the same bytes: a random Avro body can be empty, like avro-header-only.)
    Map<String, List<HostileCorpus.Entry>> entriesByBytes = corpus.values().stream()
        .collect(Collectors.groupingBy(e -> HexFormat.of().formatHex(e.bytes())));
    entriesByBytes.forEach((bytes, entries) -> {
      List<String> designed = entries.stream().map(HostileCorpus.Entry::expected)
          .filter(x -> !List.of("CLEAN", "DUPLICATE", "*").contains(x)).toList();
      List<String> got = dlqByBytes.getOrDefault(bytes, List.of());
      assertThat(got).as(entries.get(0).name()).containsAll(designed).hasSizeBetween(designed.size(), entries.size());
    });

    // Duplicates after the hostile records are caught: each id on records.clean once.
    List<ProcessedRecord> clean = PreprocessIntegrationTest.read(clients, config.topic(TopicName.CLEAN));
    assertThat(clean).extracting(ProcessedRecord::getId).doesNotHaveDuplicates()
        .contains("corpus-v1", "stream-0", "stream-24", "stream-999");
    assertThat(r.duplicates()).isGreaterThanOrEqualTo(duplicates.size() + 1);
    assertThat(r.clean()).isEqualTo(clean.size());
  }

  /** Valid JSON records stream-FROM..stream-TO-1 with features f0, f1 and labels a, b; no ts, so the Kafka timestamp stands in. */
  private static List<String> stream(int from, int to) {
    SplittableRandom rnd = new SplittableRandom(from);
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      boolean b = rnd.nextInt(4) == 0;
      out.add(String.format(java.util.Locale.ROOT, "{\"id\":\"stream-%d\",\"label\":\"%s\",\"features\":{\"f0\":%.6f,\"f1\":%.6f}}",
          i, b ? "b" : "a", rnd.nextGaussian() + (b ? 2 : 0), rnd.nextGaussian() * 3));
    }
    return out;
  }

  /** kcat sends each file as one message, in the order given; without kcat, a KafkaProducer built from plain properties. */
  private static String sendWithForeignProducer(StreamlearnConfig config, Map<String, HostileCorpus.Entry> corpus) throws Exception {
    String topic = config.topic(TopicName.RAW);
    String bootstrap = config.getString(StreamlearnConfig.BOOTSTRAP);
    String kcat = kcat();
    if (kcat != null) {
      List<String> cmd = new ArrayList<>(List.of(kcat, "-P", "-b", bootstrap, "-t", topic, "-p", "-1"));
      List<String> empty = new ArrayList<>();
      corpus.values().forEach(e -> {
        if (e.bytes().length == 0) {
          empty.add(e.name());
        } else {
          cmd.add(HostileCorpus.DIR.resolve(e.name() + ".bin").toString());
        }
      });
      runKcat(cmd, null);
      // kcat cannot send a zero-length value (it skips empty files and lines); the closest it has is a
      // null value (-Z with an empty part after the key delimiter), which the clean stage rejects alike.
      for (String name : empty) {
        runKcat(List.of(kcat, "-P", "-b", bootstrap, "-t", topic, "-K", ":", "-Z"), name + ":\n");
      }
      return "kcat (" + kcat + ")";
    }
    Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (HostileCorpus.Entry e : corpus.values()) {
        p.send(new ProducerRecord<>(topic, e.bytes())).get();
      }
    }
    return "a bare KafkaProducer<byte[], byte[]> (kcat not on the PATH, or -Dhostile.producer=kafka)";
  }

  private static void runKcat(List<String> cmd, String stdin) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).as("kcat reports no failed file").doesNotContain("Failed");
  }

  /** kcat on the PATH, or null; {@code -Dhostile.producer=kafka} forces the KafkaProducer fallback. */
  private static String kcat() {
    if ("kafka".equals(System.getProperty("hostile.producer"))) {
      return null;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "kcat");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static String hex(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] a = new byte[d.remaining()];
    d.get(a);
    return HexFormat.of().formatHex(a);
  }
}
