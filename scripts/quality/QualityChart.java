import java.awt.Color;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws scripts/quality/chart's table (data set, series, balanced accuracy; tab-separated) as grouped bars. */
public final class QualityChart {
  public static void main(String[] args) throws Exception {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      String[] f = line.split("\t");
      data.addValue(Double.parseDouble(f[2]), f[1], f[0]);
    }
    JFreeChart chart = ChartFactory.createBarChart("Served balanced accuracy on the pipeline's own eval split", "", "balanced accuracy", data,
        PlotOrientation.VERTICAL, true, false, false);
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().getRangeAxis().setRange(0, 1.05);
    ChartUtils.saveChartAsPNG(new File(args[1]), chart, 1000, 500);
  }
}
