package dev.semblance.examples;

import dev.semblance.evaluation.RocPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.statistics.HistogramType;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The evaluation plots, drawn with JFreeChart and rendered to PNG. */
final class Charts {
  static final int WIDTH = 720;
  static final int HEIGHT = 440;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e)
  };

  private Charts() {}

  /** ROC curves: TAR against FAR on a log axis. */
  static byte[] roc(Map<String, List<RocPoint>> curves) {
    XYSeriesCollection data = new XYSeriesCollection();
    curves.forEach(
        (name, points) -> {
          XYSeries s = new XYSeries(name, false);
          points.stream().filter(p -> p.far() > 0).forEach(p -> s.add(p.far(), p.tar()));
          data.addSeries(s);
        });
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "ROC",
            "false accept rate (FAR)",
            "true accept rate (TAR)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setDomainAxis(logAxis("false accept rate (FAR)"));
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setAutoRangeIncludesZero(false);
    y.setUpperBound(1.0);
    return png(style(chart));
  }

  /** DET curves: FRR against FAR, both on log axes. */
  static byte[] det(Map<String, List<RocPoint>> curves) {
    XYSeriesCollection data = new XYSeriesCollection();
    curves.forEach(
        (name, points) -> {
          XYSeries s = new XYSeries(name, false);
          points.stream()
              .filter(p -> p.far() > 0 && p.tar() < 1)
              .forEach(p -> s.add(p.far(), 1 - p.tar()));
          data.addSeries(s);
        });
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "DET",
            "false accept rate (FAR)",
            "false reject rate (FRR)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setDomainAxis(logAxis("false accept rate (FAR)"));
    plot.setRangeAxis(logAxis("false reject rate (FRR)"));
    return png(style(chart));
  }

  /** Two score distributions as relative-frequency histograms, with thresholds marked. */
  static byte[] histogram(
      String title,
      String firstName,
      float[] first,
      String secondName,
      float[] second,
      Map<String, Double> thresholds) {
    HistogramDataset data = new HistogramDataset();
    data.setType(HistogramType.RELATIVE_FREQUENCY);
    data.addSeries(firstName, toDoubles(first), 80, -0.4, 1.0);
    data.addSeries(secondName, toDoubles(second), 80, -0.4, 1.0);
    JFreeChart chart =
        ChartFactory.createHistogram(
            title,
            "cosine similarity",
            "fraction of comparisons",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    XYBarRenderer bars = (XYBarRenderer) plot.getRenderer();
    bars.setShadowVisible(false);
    bars.setDrawBarOutline(false);
    bars.setSeriesPaint(0, new Color(44, 160, 44, 150));
    bars.setSeriesPaint(1, new Color(214, 39, 40, 150));
    int i = 0;
    for (Map.Entry<String, Double> t : thresholds.entrySet()) {
      ValueMarker marker =
          new ValueMarker(
              t.getValue(),
              Color.DARK_GRAY,
              new BasicStroke(
                  1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {5, 4}, 0));
      marker.setLabel(t.getKey());
      marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
      marker.setLabelOffset(new RectangleInsets(4 + 14 * i++, 4, 4, 4));
      plot.addDomainMarker(marker);
    }
    return png(style(chart));
  }

  /** A line through (x, y) points; {@code logX} puts x on a log axis. */
  static byte[] line(
      String title, String xLabel, String yLabel, Map<String, double[][]> series, boolean logX) {
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach(
        (name, xy) -> {
          XYSeries s = new XYSeries(name, false);
          for (double[] p : xy) {
            if (!logX || p[0] > 0) {
              s.add(p[0], p[1]);
            }
          }
          data.addSeries(s);
        });
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    if (logX) {
      chart.getXYPlot().setDomainAxis(logAxis(xLabel));
    }
    ((NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
    return png(style(chart));
  }

  private static LogAxis logAxis(String label) {
    LogAxis axis = new LogAxis(label);
    axis.setBase(10);
    axis.setStandardTickUnits(NumberAxis.createStandardTickUnits());
    axis.setNumberFormatOverride(new DecimalFormat("0.#E0"));
    axis.setSmallestValue(1e-8);
    return axis;
  }

  private static JFreeChart style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    if (plot.getRenderer() instanceof XYLineAndShapeRenderer lines) {
      for (int i = 0; i < PALETTE.length; i++) {
        lines.setSeriesPaint(i, PALETTE[i]);
        lines.setSeriesStroke(i, new BasicStroke(2f));
        lines.setSeriesShapesVisible(i, false);
      }
    }
    return chart;
  }

  private static byte[] png(JFreeChart chart) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static double[] toDoubles(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }
}
