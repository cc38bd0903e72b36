package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlearn.core.metrics.MetricsEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streams app's Prometheus figures, scraped over HTTP as 'streamlearn streams' with metrics.port serves them. */
class PipelineExporterTest {

  @Test
  void stagesDlqReasonsDuplicatesAndClassBalanceAreScraped() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    PipelineExporter exporter = new PipelineExporter(registry);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
      assertThat(scrape(endpoint)).as("nothing read yet: no samples rather than zeros").doesNotContain("streamlearn_pipeline_records_total{");
      PipelineReport r = new PipelineReport(100, 80, 7, Map.of("MALFORMED", 9L, "MISSING_ID", 4L), 90, 8, 18, 0,
          Map.of("fraud", 8L, "legit", 72L), Map.of("fraud", 45L, "legit", 45L), Map.of("fraud", 7L, "legit", 65L), null, null,
          1_700_000_000_000L, 0, 0, Map.of("fraud", 45L, "legit", 45L), 3);
      exporter.update(r);
      assertThat(scrape(endpoint))
          .contains("streamlearn_pipeline_records_total{stage=\"raw\"} 100.0")
          .contains("streamlearn_pipeline_class_records{label=\"fraud\",where=\"target\"} 45.0")
          .contains("streamlearn_pipeline_synthetic_owed 3.0")
          .contains("streamlearn_pipeline_records_total{stage=\"clean\"} 80.0")
          .contains("streamlearn_pipeline_records_total{stage=\"train\"} 90.0")
          .contains("streamlearn_pipeline_records_total{stage=\"dlq\"} 13.0")
          .contains("streamlearn_pipeline_dlq_records_total{reason=\"MALFORMED\"} 9.0")
          .contains("streamlearn_pipeline_dlq_records_total{reason=\"MISSING_ID\"} 4.0")
          .contains("streamlearn_pipeline_duplicates_total 7.0")
          .contains("streamlearn_pipeline_class_records{label=\"fraud\",where=\"clean\"} 8.0")
          .contains("streamlearn_pipeline_class_records{label=\"fraud\",where=\"train\"} 45.0")
          .contains("streamlearn_pipeline_class_records{label=\"fraud\",where=\"train_real\"} 7.0")
          .contains("streamlearn_pipeline_reconciled 1.0");
    }
  }

  private static String scrape(MetricsEndpoint endpoint) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
