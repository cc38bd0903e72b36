package dev.streamlearn.updater;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.core.metrics.MetricsEndpoint;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The updater's training loss and feature drift, scraped over HTTP as 'streamlearn updater' with metrics.port serves them. */
class UpdaterExporterTest {

  private static final DatasetSpec SPEC = DatasetSpec.newBuilder().setFeatures(List.of("amount", "hour")).setLabels(List.of("x", "y")).build();

  @Test
  void trainingLossAndEachFeaturesDriftSinceThePreviousSnapshotAreScraped() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    UpdaterExporter exporter = new UpdaterExporter(registry, "m");
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
      RunningStats s = new RunningStats(2);
      for (int i = 0; i < 100; i++) {
        s.update(new double[] {i % 2 == 0 ? 9 : 11, 12}); // amount: mean 10, std 1; hour: constant
      }
      exporter.accept(published(1, s, 0.75));
      String first = scrape(endpoint);
      assertThat(first).contains("streamlearn_updater_train_loss{model=\"m\"} 0.75")
          .as("no earlier snapshot to measure from").doesNotContain("streamlearn_updater_feature_drift{");

      for (int i = 0; i < 100; i++) {
        s.update(new double[] {12.5, 12}); // the new records' mean is 2.5 std above the earlier mean
      }
      exporter.accept(published(2, s, 0.5));
      assertThat(scrape(endpoint)).contains("streamlearn_updater_train_loss{model=\"m\"} 0.5")
          .contains("streamlearn_updater_feature_drift{feature=\"amount\",model=\"m\"} 2.5")
          .as("a constant feature has no unit to measure in").doesNotContain("feature=\"hour\"");
    }
  }

  private static SnapshotEvent.Published published(long version, RunningStats stats, double loss) {
    ModelSnapshot meta = ModelSnapshot.newBuilder().setModel("m").setVersion(version).setCreatedAt(0).setStatus(SnapshotStatus.PROMOTED)
        .setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.allocate(0)).setSizeBytes(0).setSha256("").setSpec(SPEC)
        .setNormalizer(StatsCodec.toAvro(stats, SPEC, "zscore", -1, Map.of(), 0)).setOffsets(Map.of()).setTrainedRecords(version * 100)
        .setSyntheticRecords(0).setConfigHash("").setMetrics(Map.of("train_loss", loss)).build();
    return new SnapshotEvent.Published(meta, version, "test", 5, 1000);
  }

  private static String scrape(MetricsEndpoint endpoint) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
