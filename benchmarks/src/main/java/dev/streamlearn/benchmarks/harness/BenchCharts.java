package dev.streamlearn.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The benchmark's pictures: throughput per stage, latency per load, growth series. */
final class BenchCharts {

  private BenchCharts() {}

  static void write(JsonNode r, Path dir) throws IOException {
    DefaultCategoryDataset tp = new DefaultCategoryDataset();
    tp.addValue(r.get("passthrough_eos_rps").asDouble(), "passthrough (Kafka Streams limit)", "exactly_once_v2");
    tp.addValue(r.get("dedup_only_eos_rps").asDouble(), "dedup only (RocksDB store, reference)", "exactly_once_v2");
    tp.addValue(r.get("topology_eos_rps").asDouble(), "streamlearn topology", "exactly_once_v2");
    tp.addValue(r.get("passthrough_alos_rps").asDouble(), "passthrough (Kafka Streams limit)", "at_least_once");
    tp.addValue(r.get("topology_alos_rps").asDouble(), "streamlearn topology", "at_least_once");
    tp.addValue(r.get("fit_raw_sps").asDouble(), "DL4J raw fit (limit)", "training");
    tp.addValue(r.get("updater_sps").asDouble(), "model updater", "training");
    save(ChartFactory.createBarChart("Throughput (records/s, same machine, same run)", "", "records/s", tp, PlotOrientation.VERTICAL, true, false, false),
        dir.resolve("bench-throughput.png"));

    DefaultCategoryDataset lat = new DefaultCategoryDataset();
    r.get("latency").fields().forEachRemaining(e -> {
      String load = e.getKey().replace("load_", "") + "% load";
      lat.addValue(e.getValue().get("p50").asDouble(), "p50", load);
      lat.addValue(e.getValue().get("p99").asDouble(), "p99", load);
      lat.addValue(e.getValue().get("p999").asDouble(), "p99.9", load);
    });
    save(ChartFactory.createBarChart("Latency records.raw -> records.train (ms, exactly_once_v2)", "", "ms", lat, PlotOrientation.VERTICAL, true, false, false),
        dir.resolve("bench-latency.png"));

    // Second by second: a tail made by a few stalls shows as spikes, one made by queueing as a raised floor.
    org.jfree.data.xy.XYSeriesCollection perSecond = new org.jfree.data.xy.XYSeriesCollection();
    r.get("latency").fields().forEachRemaining(e -> {
      XYSeries p99 = new XYSeries("p99, " + e.getKey().replace("load_", "") + "% load");
      for (JsonNode sec : e.getValue().path("seconds")) {
        p99.add(sec.get("t").asDouble(), sec.get("p99").asDouble());
      }
      perSecond.addSeries(p99);
    });
    if (perSecond.getSeriesCount() > 0) {
      save(ChartFactory.createXYLineChart("Latency p99 per second of append time (ms)", "seconds into the measurement", "ms", perSecond,
          PlotOrientation.VERTICAL, true, false, false), dir.resolve("bench-latency-seconds.png"));
    }

    XYSeries cost = new XYSeries("µs per record");
    XYSeries heap = new XYSeries("peak heap MB / 10");
    for (JsonNode g : r.get("growth")) {
      cost.add(g.get("distinct_ids").asDouble(), g.get("us_per_record").asDouble());
      heap.add(g.get("distinct_ids").asDouble(), g.get("peakHeapMb").asDouble() / 10);
    }
    XYSeriesCollection gr = new XYSeriesCollection();
    gr.addSeries(cost);
    gr.addSeries(heap);
    JFreeChart growth = ChartFactory.createXYLineChart("Growth with dedup state (full topology)", "distinct ids", "", gr, PlotOrientation.VERTICAL, true, false, false);
    growth.getXYPlot().setDomainAxis(new org.jfree.chart.axis.LogarithmicAxis("distinct ids (log)"));
    save(growth, dir.resolve("bench-growth.png"));
  }

  private static void save(JFreeChart chart, Path file) throws IOException {
    chart.getPlot().setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 500);
  }
}
