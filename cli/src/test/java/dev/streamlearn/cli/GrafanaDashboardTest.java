package dev.streamlearn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.core.KafkaClients;
import dev.streamlearn.core.RealKafka;
import dev.streamlearn.core.StreamlearnConfig;
import dev.streamlearn.core.TopicAdmin;
import dev.streamlearn.core.TopicName;
import dev.streamlearn.core.TopicSpec;
import dev.streamlearn.core.metrics.GroupLag;
import dev.streamlearn.stats.RunningStats;
import dev.streamlearn.stats.StatsCodec;
import dev.streamlearn.streams.PipelineExporter;
import dev.streamlearn.streams.PipelineReport;
import dev.streamlearn.updater.SnapshotEvent;
import dev.streamlearn.updater.UpdaterExporter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * docker/grafana/streamlearn.json names only metrics the exporters emit: every name in its queries is found in a
 * scrape of the streams app's and the updater's exporters, fed with figures and events and, for lag, a real broker.
 */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "streamlearn.json");
  private static final Pattern METRIC = Pattern.compile("streamlearn_[a-z0-9_]+");

  @Test
  void everyMetricTheDashboardQueriesIsOneTheExportersEmit() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.get("uid").asText()).isEqualTo("streamlearn");
    assertThat(dashboard.get("panels")).isNotEmpty();
    for (JsonNode panel : dashboard.get("panels")) {
      if (!panel.get("type").asText().equals("row")) {
        assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
      }
    }
    Set<String> referenced = new TreeSet<>();
    dashboard.findValues("expr").forEach(e -> names(e.asText(), referenced));
    dashboard.findValues("definition").forEach(e -> names(e.asText(), referenced));
    assertThat(referenced).hasSizeGreaterThan(10);

    Set<String> emitted = emitted();
    assertThat(emitted).as("what the exporters emit").contains(GroupLag.METRIC, "streamlearn_pipeline_records_total");
    assertThat(referenced).as("metrics the dashboard queries but no exporter emits").isSubsetOf(emitted);
  }

  /** Sample names of a scrape of every exporter, each fed so that it has samples to show. */
  private static Set<String> emitted() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    PipelineExporter pipeline = new PipelineExporter(registry);
    pipeline.update(new PipelineReport(100, 80, 7, Map.of("MALFORMED", 9L), 90, 8, 18, 0, Map.of("a", 8L, "b", 72L),
        Map.of("a", 45L, "b", 45L), Map.of("a", 7L, "b", 65L), null, null, 1_700_000_000_000L, 0, 0, Map.of("a", 45L, "b", 45L), 3));
    UpdaterExporter updater = new UpdaterExporter(registry, "m");
    RunningStats stats = new RunningStats(2);
    for (int i = 0; i < 10; i++) {
      stats.update(new double[] {i, i * i});
    }
    updater.accept(published(1, stats));
    stats.update(new double[] {30, 3});
    updater.accept(published(2, stats));
    updater.accept(new SnapshotEvent.RolledBack("m", 2, 1, "test"));
    StreamlearnConfig config = RealKafka.config("grafana", Map.of());
    try (Admin admin = new KafkaClients(config).admin()) {
      new TopicAdmin(admin).ensure(TopicSpec.all(config));
      new GroupLag(admin, "grafana-test", List.of(config.topic(TopicName.RAW))).register(registry, GroupLag.METRIC);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
      Set<String> names = new TreeSet<>();
      out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
      return names;
    }
  }

  private static SnapshotEvent.Published published(long version, RunningStats stats) {
    DatasetSpec spec = DatasetSpec.newBuilder().setFeatures(List.of("f", "g")).setLabels(List.of("a", "b")).build();
    ModelSnapshot meta = ModelSnapshot.newBuilder().setModel("m").setVersion(version).setCreatedAt(0).setStatus(SnapshotStatus.PROMOTED)
        .setChunkIndex(0).setChunkCount(1).setChunk(ByteBuffer.allocate(0)).setSizeBytes(0).setSha256("").setSpec(spec)
        .setNormalizer(StatsCodec.toAvro(stats, spec, "zscore", -1, Map.of(), 0)).setOffsets(Map.of()).setTrainedRecords(version * 10)
        .setSyntheticRecords(0).setConfigHash("").setMetrics(Map.of("macro_f1", 0.9, "balanced_accuracy", 0.9, "roc_auc", 0.95, "train_loss", 0.3))
        .build();
    return new SnapshotEvent.Published(meta, version, "test", 5, 1000);
  }

  private static void names(String text, Set<String> into) {
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      into.add(m.group());
    }
  }
}
