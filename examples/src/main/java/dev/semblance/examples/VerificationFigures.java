package dev.semblance.examples;

import dev.semblance.Embedding;
import dev.semblance.Verifier;
import dev.semblance.evaluation.OperatingPoint;
import dev.semblance.evaluation.RocPoint;
import dev.semblance.evaluation.Scores;
import dev.semblance.evaluation.TarAtFar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    return Scores.ofAllPairs(paths.stream().map(embeddings::get).toList(),
        paths.stream().map(p -> p.getParent().getFileName().toString()).toList());
  }

  /** The figures of a score set, in a stable order, for JSON and the report's tables. */
  static Map<String, Object> figures(Scores s) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("genuine_comparisons", s.genuineCount());
    f.put("impostor_comparisons", s.impostorCount());
    f.put("auc", s.auc());
    OperatingPoint eer = s.eer();
    f.put("eer", eer.far());
    f.put("eer_threshold", eer.threshold());
    OperatingPoint best = s.bestAccuracy();
    f.put("best_accuracy", s.accuracy(best.threshold()));
    f.put("best_accuracy_threshold", best.threshold());
    f.put("default_threshold", (double) Verifier.DEFAULT_THRESHOLD);
    f.put("accuracy_at_default_threshold", s.accuracy(Verifier.DEFAULT_THRESHOLD));
    f.put("far_at_default_threshold", s.far(Verifier.DEFAULT_THRESHOLD));
    f.put("tar_at_default_threshold", s.tar(Verifier.DEFAULT_THRESHOLD));
    List<TarAtFar> tars = new ArrayList<>();
    for (double far : FARS) {
      tars.add(s.tarAtFar(far));
    }
    f.put("tar_at_far", tars);
    return f;
  }

  static List<List<String>> rows(Map<String, Object> f) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("comparisons", f.get("genuine_comparisons") + " genuine, " + f.get("impostor_comparisons") + " impostor"));
    rows.add(List.of("AUC", fmt("%.5f", f.get("auc"))));
    rows.add(List.of("EER", pct(f.get("eer")) + " at threshold " + fmt("%.4f", f.get("eer_threshold"))));
    rows.add(List.of("best accuracy", pct(f.get("best_accuracy")) + " at threshold " + fmt("%.4f", f.get("best_accuracy_threshold"))));
    rows.add(List.of("at the default threshold " + fmt("%.2f", f.get("default_threshold")),
        "accuracy " + pct(f.get("accuracy_at_default_threshold")) + ", FAR " + sci(f.get("far_at_default_threshold"))
            + ", TAR " + pct(f.get("tar_at_default_threshold"))));
    @SuppressWarnings("unchecked")
    List<TarAtFar> tars = (List<TarAtFar>) f.get("tar_at_far");
    for (TarAtFar t : tars) {
      rows.add(List.of("TAR at FAR " + sci(t.targetFar()), t.supported()
          ? pct(t.tar()) + " (95% CI " + pct(t.tarLow()) + "–" + pct(t.tarHigh()) + "), threshold "
              + fmt("%.4f", t.threshold()) + ", observed FAR " + sci(t.far())
          : "not supported: " + t.impostors() + " impostor comparisons < 1/FAR"));
    }
    return rows;
  }

  static List<RocPoint> curve(Scores s) {
    return s.rocAtLogSpacedFar(300);
  }

  static String pct(Object v) {
    return fmt("%.2f%%", ((Number) v).doubleValue() * 100);
  }

  static String sci(Object v) {
    return fmt("%.1e", v);
  }

  static String fmt(String format, Object v) {
    return String.format(Locale.ROOT, format, v);
  }
}
