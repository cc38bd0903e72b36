package dev.streamlearn.core.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The metrics a Kafka client already keeps (for Kafka Streams: its own and its embedded clients'), read at each
 * scrape and exported as {@code kafka_<group>_<name>{<tags>}}, dashes made underscores: a metric named
 * {@code *-total} (Kafka's cumulative sums and counts) is a counter, anything else numeric a gauge; non-numeric
 * values (a client's version string) and NaN are left out. The Prometheus client writes the format; this only
 * maps names, as the JMX exporter does for the same metrics.
 */
public final class KafkaClientMetrics implements MultiCollector {

  private final Supplier<Map<MetricName, ? extends Metric>> metrics;

  /** @param metrics the client's {@code metrics()}, called at each scrape (metrics come and go with threads, tasks, partitions) */
  public KafkaClientMetrics(Supplier<Map<MetricName, ? extends Metric>> metrics) {
    this.metrics = metrics;
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, CounterSnapshot.Builder> counters = new TreeMap<>();
    Map<String, GaugeSnapshot.Builder> gauges = new TreeMap<>();
    Map<String, Set<Labels>> seen = new TreeMap<>();
    metrics.get().forEach((name, metric) -> {
      if (!(metric.metricValue() instanceof Number n) || Double.isNaN(n.doubleValue())) {
        return;
      }
      String full = sanitize("kafka_" + name.group() + "_" + name.name());
      boolean counter = full.endsWith("_total");
      String family = counter ? full.substring(0, full.length() - "_total".length()) : full;
      Labels labels = labels(name.tags());
      if ((counter ? gauges : counters).containsKey(family) || !seen.computeIfAbsent(family, f -> new HashSet<>()).add(labels)) {
        return; // a name both a counter and a gauge, or the same series twice: keep the first
      }
      if (counter) {
        counters.computeIfAbsent(family, f -> CounterSnapshot.builder().name(f).help(name.description()))
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(n.doubleValue()).labels(labels).build());
      } else {
        gauges.computeIfAbsent(family, f -> GaugeSnapshot.builder().name(f).help(name.description()))
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(n.doubleValue()).labels(labels).build());
      }
    });
    List<MetricSnapshot> out = new ArrayList<>();
    counters.values().forEach(b -> out.add(b.build()));
    gauges.values().forEach(b -> out.add(b.build()));
    return new MetricSnapshots(out);
  }

  private static Labels labels(Map<String, String> tags) {
    Labels.Builder b = Labels.builder();
    new TreeMap<>(tags).forEach((k, v) -> b.label(sanitize(k), v));
    return b.build();
  }

  private static String sanitize(String s) {
    return s.replaceAll("[^a-zA-Z0-9_]", "_");
  }
}
