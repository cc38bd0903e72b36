package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.core.metrics.KafkaClientMetrics;
import dev.streamlearn.streams.sample.DirtyStreamGenerator;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** A running streams app's own Kafka Streams and client metrics scrape as Prometheus text, as 'streamlearn streams' with metrics.port serves them. */
class StreamsClientMetricsIntegrationTest {

  @Test
  void streamsThreadAndEmbeddedClientMetricsAreScraped() throws Exception {
    StreamlearnConfig config = RealKafka.config("streams-client-metrics", Map.of());
    KafkaClients clients = new KafkaClients(config);
    try (Admin admin = clients.admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
    }
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(DirtyStreamGenerator.FEATURES).setLabels(DirtyStreamGenerator.LABELS).build();
    try (PreprocessApp app = new PreprocessApp(config, spec, Files.createTempDirectory("metrics").toString())) {
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new KafkaClientMetrics(app.streams()::metrics));
      app.start();
      PreprocessIntegrationTest.produce(clients, new DirtyStreamGenerator(3, 0.02, 0.02).generate(500).lines());
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
          .until(() -> scrape(registry).lines().anyMatch(l -> l.startsWith("kafka_stream_thread_metrics_process_total{") && !l.endsWith(" 0.0")));
      assertThat(scrape(registry)).contains("# TYPE kafka_stream_thread_metrics_process_total counter")
          .containsPattern("kafka_consumer_fetch_manager_metrics_records_consumed_total\\{client_id=\"[^\"]+\"")
          .containsPattern("kafka_producer_metrics_record_send_total\\{client_id=\"[^\"]+\"");
    }
  }

  private static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
