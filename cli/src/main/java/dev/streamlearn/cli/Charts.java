package dev.streamlearn.cli;

import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.SnapshotStatus;
import dev.streamlearn.streams.rebalance.BalanceReport;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG pictures of what people would rather see than read: model quality over versions, class balance. */
final class Charts {

  private Charts() {}

  static void modelQuality(List<ModelSnapshot> versions, Path out) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (String metric : List.of("macro_f1", "accuracy", "roc_auc", "balanced_accuracy")) {
      XYSeries s = new XYSeries(metric);
      versions.forEach(v -> {
        Double x = v.getMetrics().get(metric);
        if (x != null && !x.isNaN()) {
          s.add(v.getVersion(), x);
        }
      });
      data.addSeries(s);
    }
    XYSeries held = new XYSeries("held (gate)");
    versions.stream().filter(v -> v.getStatus() == SnapshotStatus.HELD)
        .forEach(v -> held.add(v.getVersion(), v.getMetrics().getOrDefault("macro_f1", 0.0)));
    data.addSeries(held);
    JFreeChart chart = ChartFactory.createXYLineChart("Model quality by version (eval window)", "version", "score", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    ((org.jfree.chart.axis.NumberAxis) plot.getDomainAxis()).setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    int heldIndex = data.getSeriesCount() - 1;
    r.setSeriesLinesVisible(heldIndex, false);
    r.setSeriesPaint(heldIndex, Color.RED);
    r.setSeriesShape(heldIndex, new java.awt.geom.Ellipse2D.Double(-7, -7, 14, 14));
    r.setSeriesShapesFilled(heldIndex, false);
    r.setUseOutlinePaint(false);
    r.setDrawOutlines(true);
    r.setSeriesStroke(heldIndex, new BasicStroke(2.5f));
    plot.setRenderer(r);
    ChartUtils.saveChartAsPNG(out.toFile(), chart, 900, 500);
  }

  static void classBalance(BalanceReport balance, Path out) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (BalanceReport.Row row : balance.rows()) {
      data.addValue(row.real(), "real training records", row.label());
      data.addValue(row.emitted(), "records.train (after rebalancing)", row.label());
      data.addValue(row.target(), "target", row.label());
    }
    JFreeChart chart = ChartFactory.createBarChart(String.format("Class balance before and after rebalancing (min/max %.3f)", balance.minMaxRatio()),
        "class", "records", data,
        PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.saveChartAsPNG(out.toFile(), chart, 900, 500);
  }
}
