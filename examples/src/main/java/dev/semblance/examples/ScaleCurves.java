package dev.semblance.examples;

import static dev.semblance.examples.VerificationFigures.fmt;
import static dev.semblance.examples.VerificationFigures.pct;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.ThresholdReport;
import dev.semblance.evaluation.OpenSetScores;
import dev.semblance.evaluation.OpenSetScores.Probe;
import dev.semblance.evaluation.SyntheticFaces;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The open-set threshold as the gallery grows past the real people: the real gallery filled with
 * synthetic identities to each size, the threshold each method sets for a target FPIR, and what it
 * gives on the real searches, beside the oracle threshold read off the real strangers themselves.
 */
final class ScaleCurves {
  private ScaleCurves() {}

  /**
   * One method at one gallery size.
   *
   * @param identities gallery identities, real and synthetic
   * @param method "oracle", "calibration" or "self-search"
   * @param expectedFpir the FPIR the gallery expected (NaN for the oracle), with its interval
   * @param held whether the gallery's report said the target is held
   * @param fpir the FPIR on the real non-mated searches
   * @param falsePositives how many of them were named
   * @param fnir the FNIR on the real mated searches
   */
  record Row(
      int identities,
      String method,
      double threshold,
      double expectedFpir,
      double expectedLow,
      double expectedHigh,
      boolean held,
      double fpir,
      int falsePositives,
      double fnir) {}

  static List<Row> measure(
      Map<String, List<Embedding>> enrolled,
      List<Probe> searches,
      SyntheticFaces synthetic,
      List<Integer> sizes,
      Calibration calibration,
      double targetFpir) {
    List<Row> rows = new ArrayList<>();
    int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    float[][] fill = synthetic.sample(Math.max(0, largest - enrolled.size()), 20261206L);
    for (int size : sizes) {
      try (Gallery gallery = Gallery.create(calibration.embedderId(), synthetic.dimension())) {
        gallery.enrollAll(enrolled);
        Map<String, List<Embedding>> extra = new LinkedHashMap<>();
        for (int i = 0; i < size - enrolled.size(); i++) {
          extra.put(
              String.format(Locale.ROOT, "synthetic-%07d", i), List.of(Embedding.of(fill[i])));
        }
        gallery.enrollAll(extra);
        OpenSetScores scores = OpenSetScores.search(gallery, searches, 1);
        double oracle = scores.dirAtFpir(targetFpir).threshold();
        rows.add(row(gallery.size(), "oracle", oracle, null, scores));
        gallery.setTargetFpir(calibration, targetFpir);
        ThresholdReport pairs = gallery.thresholdReport();
        rows.add(row(gallery.size(), "calibration", pairs.threshold(), pairs, scores));
        ThresholdReport self = gallery.calibrateThreshold();
        rows.add(row(gallery.size(), "self-search", self.threshold(), self, scores));
      }
    }
    return rows;
  }

  private static Row row(
      int identities, String method, double threshold, ThresholdReport r, OpenSetScores s) {
    double fpir = s.fpir(threshold);
    return new Row(
        identities,
        method,
        threshold,
        r == null || r.expectedFpir() == null ? Double.NaN : r.expectedFpir().estimate(),
        r == null || r.expectedFpir() == null ? Double.NaN : r.expectedFpir().low(),
        r == null || r.expectedFpir() == null ? Double.NaN : r.expectedFpir().high(),
        r == null || r.targetHeld(),
        fpir,
        (int) Math.round(fpir * s.nonMatedCount()),
        s.fnir(threshold));
  }

  /** The rows as a table: one line per size and method. */
  static List<List<String>> table(List<Row> rows, int nonMated) {
    List<List<String>> table = new ArrayList<>();
    for (Row r : rows) {
      table.add(
          List.of(
              String.format(Locale.ROOT, "%,d", r.identities()),
              r.method(),
              fmt("%.4f", r.threshold()),
              Double.isNaN(r.expectedFpir())
                  ? "—"
                  : pct(r.expectedFpir())
                      + " ("
                      + pct(r.expectedLow())
                      + "–"
                      + pct(r.expectedHigh())
                      + ")"
                      + (r.held() ? "" : ", not held"),
              pct(r.fpir()) + " (" + r.falsePositives() + " of " + nonMated + ")",
              pct(r.fnir())));
    }
    return table;
  }

  /** One line per method: {@code value} of its rows against the gallery's size. */
  static Map<String, double[][]> curves(List<Row> rows, ToDoubleFunction<Row> value) {
    Map<String, List<double[]>> byMethod = new LinkedHashMap<>();
    for (Row r : rows) {
      byMethod
          .computeIfAbsent(r.method(), k -> new ArrayList<>())
          .add(new double[] {r.identities(), value.applyAsDouble(r)});
    }
    Map<String, double[][]> curves = new LinkedHashMap<>();
    byMethod.forEach((method, points) -> curves.put(method, points.toArray(double[][]::new)));
    return curves;
  }

  static final List<String> HEADER =
      List.of("identities", "threshold from", "τ", "expected FPIR (90%)", "FPIR", "FNIR");
}
