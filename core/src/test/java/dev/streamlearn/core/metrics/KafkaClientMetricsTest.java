package dev.streamlearn.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A Kafka client's own metrics in the Prometheus text format: names, tags as labels, counters for *-total. */
class KafkaClientMetricsTest {

  @Test
  void cumulativeTotalsAreCountersOtherNumbersGaugesAndStringsAreLeftOut() throws Exception {
    try (Metrics kafka = new Metrics()) {
      Sensor s = kafka.sensor("consumed");
      s.add(kafka.metricName("records-consumed-total", "consumer-fetch-manager-metrics", "records consumed", Map.of("client-id", "c1")), new CumulativeSum());
      s.add(kafka.metricName("records-consumed-rate", "consumer-fetch-manager-metrics", "records per second", Map.of("client-id", "c1")), new Rate());
      s.record(5);
      s.record(7);
      kafka.addMetric(kafka.metricName("version", "app-info", "client version", Map.of("client-id", "c1")), (Gauge<String>) (config, now) -> "4.4.0");
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new KafkaClientMetrics(kafka::metrics));
      assertThat(scrape(registry))
          .contains("# TYPE kafka_consumer_fetch_manager_metrics_records_consumed_total counter")
          .contains("kafka_consumer_fetch_manager_metrics_records_consumed_total{client_id=\"c1\"} 12.0")
          .contains("# TYPE kafka_consumer_fetch_manager_metrics_records_consumed_rate gauge")
          .doesNotContain("app_info_version");
    }
  }

  @Test
  void aRealProducersMetricsScrape() throws Exception {
    KafkaClients clients = new KafkaClients(RealKafka.config("kafka-metrics", Map.of()));
    String topic = "kafka-metrics-" + System.nanoTime();
    try (org.apache.kafka.clients.admin.Admin admin = clients.admin()) {
      admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clients.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, new byte[] {1})).get(30, TimeUnit.SECONDS);
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new KafkaClientMetrics(producer::metrics));
      assertThat(scrape(registry)).containsPattern("kafka_producer_metrics_record_send_total\\{client_id=\"[^\"]+\"} [1-9]");
    }
  }

  private static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
