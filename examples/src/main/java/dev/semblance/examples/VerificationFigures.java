package dev.semblance.examples;

import dev.semblance.Embedding;
import dev.semblance.Verifier;
import dev.semblance.evaluation.OperatingPoint;
import dev.semblance.evaluation.RocPoint;
import dev.semblance.evaluation.Scores;
import dev.semblance.evaluation.TarAtFar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Verification scores from embeddings, and their figures for reports. */
final class VerificationFigures {
  static final double[] FARS = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6};

  private VerificationFigures() {}

  /** Every pair of images: the folder is the identity, as in LFW's images/NAME/ layout. */
  static Scores allVsAll(Map<Path, Embedding> embeddings) {
    List<Path> paths = new ArrayList<>(embeddings.keySet());
    paths.sort(null);
    return Scores.ofAllPairs(
        paths.stream().map(embeddings::get).toList(),
        paths.stream().map(p -> p.getParent().getFileName().toString()).toList());
  }

  /** The figures of a score set, for JSON and the report's tables. */
  record Summary(
      int genuineComparisons,
      int impostorComparisons,
      double auc,
      double eer,
      double eerThreshold,
      double bestAccuracy,
      double bestAccuracyThreshold,
      double defaultThreshold,
      double accuracyAtDefaultThreshold,
      double farAtDefaultThreshold,
      double tarAtDefaultThreshold,
      List<TarAtFar> tarAtFar) {

    static Summary of(Scores s) {
      OperatingPoint eer = s.eer();
      OperatingPoint best = s.bestAccuracy();
      double t = Verifier.DEFAULT_THRESHOLD;
      List<TarAtFar> tars = new ArrayList<>();
      for (double far : FARS) {
        tars.add(s.tarAtFar(far));
      }
      return new Summary(
          s.genuineCount(),
          s.impostorCount(),
          s.auc(),
          eer.far(),
          eer.threshold(),
          s.accuracy(best.threshold()),
          best.threshold(),
          t,
          s.accuracy(t),
          s.far(t),
          s.tar(t),
          tars);
    }

    /** The report's table rows: measure, value. */
    List<List<String>> rows() {
      List<List<String>> rows = new ArrayList<>();
      rows.add(
          List.of(
              "comparisons",
              genuineComparisons + " genuine, " + impostorComparisons + " impostor"));
      rows.add(List.of("AUC", fmt("%.5f", auc)));
      rows.add(List.of("EER", pct(eer) + " at threshold " + fmt("%.4f", eerThreshold)));
      rows.add(
          List.of(
              "best accuracy",
              pct(bestAccuracy) + " at threshold " + fmt("%.4f", bestAccuracyThreshold)));
      rows.add(
          List.of(
              "at the default threshold " + fmt("%.2f", defaultThreshold),
              "accuracy "
                  + pct(accuracyAtDefaultThreshold)
                  + ", FAR "
                  + sci(farAtDefaultThreshold)
                  + ", TAR "
                  + pct(tarAtDefaultThreshold)));
      for (TarAtFar t : tarAtFar) {
        rows.add(
            List.of(
                "TAR at FAR " + sci(t.targetFar()),
                t.supported()
                    ? pct(t.tar())
                        + " (95% CI "
                        + pct(t.tarLow())
                        + "–"
                        + pct(t.tarHigh())
                        + "), threshold "
                        + fmt("%.4f", t.threshold())
                        + ", observed FAR "
                        + sci(t.far())
                    : "not supported: " + t.impostors() + " impostor comparisons < 1/FAR"));
      }
      return rows;
    }
  }

  static List<RocPoint> curve(Scores s) {
    return s.rocAtLogSpacedFar(300);
  }

  static String pct(double v) {
    return fmt("%.2f%%", v * 100);
  }

  static String sci(double v) {
    return fmt("%.1e", v);
  }

  static String fmt(String format, double v) {
    return String.format(Locale.ROOT, format, v);
  }
}
