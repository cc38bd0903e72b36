package dev.streamlearn.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaIntegrationTest {

  @Test
  void startIsIdempotentAndStopLeavesNoProcess(@TempDir Path dir) throws Exception {
    LocalKafka kafka = new LocalKafka(dir, RealKafka.freePort(), RealKafka.freePort(), "512m", LocalKafka.currentClasspath());
    try {
      assertThat(kafka.start()).isTrue();
      long pid = kafka.process().orElseThrow().pid();
      assertThat(kafka.start()).as("second start finds the running broker").isFalse();
      assertThat(kafka.process().orElseThrow().pid()).isEqualTo(pid);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) {
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        // The broker itself reports the wait for a previous transaction's markers that LocalKafka sets (Kafka's default: 100 ms).
        var broker = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER,
            Integer.toString(kafka.nodeId()));
        String name = org.apache.kafka.coordinator.transaction.AddPartitionsToTxnConfig.ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MAX_MS_CONFIG;
        var entry = admin.describeConfigs(List.of(broker)).all().get().get(broker).get(name);
        assertThat(entry).as("the broker knows " + name).isNotNull();
        assertThat(entry.value()).isEqualTo(Integer.toString(LocalKafka.ADD_PARTITIONS_TO_TXN_RETRY_MAX_MS))
            .isNotEqualTo(Integer.toString(org.apache.kafka.coordinator.transaction.AddPartitionsToTxnConfig.ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MAX_MS_DEFAULT));
      }
    } catch (Throwable t) {
      kafka.stop();
      throw t;
    }
    assertThat(kafka.stop()).isTrue();
    assertThat(kafka.isRunning()).isFalse();
    assertThat(ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))).isEmpty();
    assertThat(kafka.stop()).as("stop with nothing running").isFalse();
  }

  @Test
  void topicsCreateIsIdempotentAndReportsDrift() throws Exception {
    StreamlearnConfig config = RealKafka.config("topics", Map.of());
    try (Admin admin = new KafkaClients(config).admin()) {
      TopicAdmin topics = new TopicAdmin(admin);
      List<TopicSpec> specs = TopicSpec.all(config);
      assertThat(topics.ensure(specs)).extracting(TopicAdmin.Result::status).containsOnly(TopicAdmin.Status.CREATED);
      assertThat(topics.ensure(specs)).extracting(TopicAdmin.Result::status).containsOnly(TopicAdmin.Status.OK);

      // The same names declared with other settings: reported, not silently accepted.
      StreamlearnConfig other = config.with(Map.of(StreamlearnConfig.TOPIC_PARTITIONS, "6", StreamlearnConfig.TOPIC_RETENTION_MS, "1000"));
      List<TopicAdmin.Result> drift = topics.ensure(TopicSpec.all(other));
      TopicAdmin.Result raw = drift.stream().filter(r -> r.spec().name() == TopicName.RAW).findFirst().orElseThrow();
      assertThat(raw.status()).isEqualTo(TopicAdmin.Status.DRIFT);
      assertThat(raw.drift()).anySatisfy(d -> assertThat(d).contains("partitions 4 (spec 6)"))
          .anySatisfy(d -> assertThat(d).contains("retention.ms=604800000 (spec 1000)"));
    }
  }
}
