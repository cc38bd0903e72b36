package dev.streamlearn.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The shared exporter, scraped over real HTTP; consumer-group lag against a real broker. */
class MetricsEndpointIntegrationTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesTheRegistryAsPrometheusText() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter c = Counter.builder().name("demo_things").help("things").labelNames("kind").register(registry);
    c.labelValues("a").inc(3);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
      assertThat(r.body()).contains("# TYPE demo_things_total counter").contains("demo_things_total{kind=\"a\"} 3.0");
      c.labelValues("a").inc();
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).contains("demo_things_total{kind=\"a\"} 4.0");
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void lagIsTheCommittedEndMinusTheGroupsOffsetPerPartition() throws Exception {
    StreamlearnConfig config = RealKafka.config("lag", Map.of());
    KafkaClients clients = new KafkaClients(config);
    String topic = config.getString(StreamlearnConfig.TOPIC_PREFIX) + "lagged";
    try (Admin admin = clients.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
      try (KafkaProducer<byte[], byte[]> p = clients.producer()) {
        for (int i = 0; i < 10; i++) {
          p.send(new ProducerRecord<>(topic, i % 2, null, new byte[] {(byte) i}));
        }
      }
      String group = config.getString(StreamlearnConfig.TOPIC_PREFIX) + "g";
      admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2))).all().get();
      GroupLag lag = new GroupLag(admin, group, List.of(topic));
      assertThat(lag.read()).containsExactly(Map.entry(new TopicPartition(topic, 0), 3L), Map.entry(new TopicPartition(topic, 1), 5L));

      PrometheusRegistry registry = new PrometheusRegistry();
      lag.register(registry, "demo_lag");
      try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("demo_lag{group=\"" + group + "\",partition=\"1\",topic=\"" + topic + "\"} 5.0");
      }
    }
  }
}
