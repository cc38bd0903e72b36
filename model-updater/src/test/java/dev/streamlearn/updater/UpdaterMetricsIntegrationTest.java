package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.metrics.GroupLag;
import dev.streamlearn.core.metrics.MetricsEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** A real updater's figures, scraped over HTTP as 'streamlearn updater' with metrics.port serves them. */
class UpdaterMetricsIntegrationTest {

  @Test
  void versionsTheirMetricsThroughputAndLagAreScraped() throws Exception {
    try (UpdaterFixture f = new UpdaterFixture("updater-metrics", Map.of("updater.snapshot.every.records", "500")); Admin admin = f.clients.admin()) {
      PrometheusRegistry registry = new PrometheusRegistry();
      UpdaterExporter exporter = new UpdaterExporter(registry, "m");
      new GroupLag(admin, UpdaterGroups.data(f.config, "m"), List.of(f.config.topic(TopicName.TRAIN), f.config.topic(TopicName.EVAL)))
          .register(registry, GroupLag.METRIC);
      List<SnapshotEvent> events = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      var executor = Executors.newSingleThreadExecutor();
      try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
        f.produce(1000);
        assertThat(scrape(endpoint)).doesNotContain("streamlearn_updater_version{")
            .contains(GroupLag.METRIC + "{group=\"" + UpdaterGroups.data(f.config, "m") + "\"");
        ModelUpdater updater = new ModelUpdater(f.config, exporter.andThen(events::add));
        registry.register(new dev.streamlearn.core.metrics.KafkaClientMetrics(updater::clientMetrics));
        Future<?> run = executor.submit(() -> {
          try (ModelUpdater u = updater) {
            u.run(stop);
          }
          return null;
        });
        f.produce(600);
        // The exporter sees each event before the test's list does, so a listed event is already exported.
        await().atMost(Duration.ofSeconds(90)).until(() -> events.stream().anyMatch(e -> e instanceof SnapshotEvent.Published));
        SnapshotEvent.Published p = (SnapshotEvent.Published) events.stream().filter(e -> e instanceof SnapshotEvent.Published).findFirst().get();
        String text = scrape(endpoint);
        long v = p.meta().getVersion();
        assertThat(text).contains("streamlearn_updater_version{model=\"m\",which=\"current\"} " + v + ".0")
            .contains("streamlearn_updater_version{model=\"m\",which=\"latest\"} " + v + ".0")
            .contains("streamlearn_updater_snapshots_total{model=\"m\",status=\"PROMOTED\"} 1.0")
            .containsPattern("streamlearn_updater_train_samples_per_second\\{model=\"m\"} [1-9]")
            .contains("streamlearn_updater_trained_records{model=\"m\"} " + p.meta().getTrainedRecords() + ".0")
            .contains("streamlearn_updater_snapshot_publish_seconds{model=\"m\"}")
            .contains("streamlearn_updater_train_loss{model=\"m\"} " + p.meta().getMetrics().get("train_loss"));
        assertThat(p.meta().getMetrics().get("train_loss")).as("the network's score after its fits").isPositive().isFinite();
        // The updater's own Kafka clients: its transactional producer published the snapshot, its consumer read the records.
        assertThat(text).containsPattern("kafka_producer_metrics_record_send_total\\{client_id=\"[^\"]+\"} [1-9]")
            .containsPattern("kafka_consumer_fetch_manager_metrics_records_consumed_total\\{client_id=\"[^\"]+\"} [1-9]");
        // Every metric the snapshot carries (window metrics only once eval records were judged; prequential ones always).
        assertThat(p.meta().getMetrics()).isNotEmpty();
        p.meta().getMetrics().forEach((metric, value) ->
            assertThat(text).contains("streamlearn_updater_version_metric{metric=\"" + metric + "\",model=\"m\",which=\"current\"} " + value));
        // The snapshot committed its offsets: the lag it leaves is what arrived after it.
        long lag = text.lines().filter(l -> l.startsWith(GroupLag.METRIC + "{")).mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(lag).isLessThan(1600);
        stop.set(true);
        run.get();
      } finally {
        executor.shutdownNow();
      }
    }
  }

  private static String scrape(MetricsEndpoint endpoint) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
