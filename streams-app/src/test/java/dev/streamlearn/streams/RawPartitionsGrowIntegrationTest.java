package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.Progress;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Partitions added to records.raw under a pipeline with state: refused at start with the way out (before, Kafka Streams
 * failed every stream thread on the repartition topic's count and the thread was replaced until the app gave up), and
 * the way out, a replay, finds every duplicate across the old and the new partitions.
 */
class RawPartitionsGrowIntegrationTest {

  // The wait ends when the counts stop moving for STALL, not at a fixed time: on a loaded machine the replay was still
  // moving at 90 s (925 of 1,000 raw records, the app RUNNING).
  private static final Duration STALL = Duration.ofSeconds(90);
  private static final Duration CAP = Duration.ofMinutes(8);

  @Test
  void morePartitionsOnRecordsRawAreRefusedUntilAReplay() throws Exception {
    long started = System.nanoTime();
    DirtyStreamGenerator.Output data = new DirtyStreamGenerator(5, 0.0, 0.1).generate(1000);
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES).setLabels(DirtyStreamGenerator.LABELS).build();
    StreamlearnConfig config = RealKafka.config("grow", Map.of("topic.partitions", "2", "rebalance.settle.idle.ms", "0"));
    PreprocessIntegrationTest.createTopics(config);
    KafkaClients clients = new KafkaClients(config);
    try (PreprocessApp app = new PreprocessApp(config, spec, Files.createTempDirectory("grow1").toString())) {
      app.start();
      PreprocessIntegrationTest.produce(clients, data.lines().subList(0, 500));
      awaitCounts(clients, 500, "before the partitions grew");
    }
    try (Admin admin = clients.admin()) {
      admin.createPartitions(Map.of(config.topic(TopicName.RAW), NewPartitions.increaseTo(4))).all().get();
    }
    PreprocessIntegrationTest.produce(clients, data.lines().subList(500, 1000));

    assertThatThrownBy(() -> new PreprocessApp(config, spec, Files.createTempDirectory("grow2").toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("has 4 partitions now")
        .hasMessageContaining("in 2 ")
        .hasMessageContaining("streamlearn replay --yes");

    long resetAt = System.nanoTime();
    new PipelineReset(clients, null, false, false).execute();
    long replayAt = System.nanoTime();
    try (PreprocessApp app = new PreprocessApp(config, spec, Files.createTempDirectory("grow3").toString())) {
      app.start();
      long resetMs = (replayAt - resetAt) / 1_000_000;
      Progress.untilDone("after the replay", () -> progress(clients), () -> {
        PipelineReport r = PipelineReport.read(clients);
        return r.raw() == 1000 && r.reconciles();
      }, STALL, CAP, () -> describe(clients) + "; app " + app.streams().state() + "; the test took " + (resetAt - started) / 1_000_000
          + " ms to the reset, the reset " + resetMs + " ms");
    }
    assertThat(PipelineReport.read(clients).duplicates()).as("every duplicate, across the old and the new partitions")
        .isEqualTo(data.duplicates());
  }

  private static void awaitCounts(KafkaClients clients, long raw, String when) {
    Progress.untilDone(when, () -> progress(clients), () -> PipelineReport.read(clients).raw() == raw, STALL, CAP, () -> describe(clients));
  }

  private static long progress(KafkaClients clients) {
    PipelineReport r = PipelineReport.read(clients);
    return r.raw() + r.clean() + r.held() + r.dropped() + r.duplicates() + r.dlqTotal();
  }

  private static String describe(KafkaClients clients) {
    PipelineReport r = PipelineReport.read(clients);
    return "raw " + r.raw() + " = clean " + r.clean() + " + held " + r.held() + " + dropped " + r.dropped() + " + duplicates "
        + r.duplicates() + " + dlq " + r.dlq() + "?";
  }
}
