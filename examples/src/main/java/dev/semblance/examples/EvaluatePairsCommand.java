package dev.semblance.examples;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.evaluation.CrossValidation;
import dev.semblance.evaluation.Scores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "pairs",
    description = {"Verification accuracy on an LFW-style pairs file: accuracy, k-fold protocol, ROC, DET,",
        "EER, TAR at FAR; plus every same/different-folder pair of its images for low FARs."})
final class EvaluatePairsCommand implements Callable<Integer> {
  @Option(names = "--pairs", required = true, paramLabel = "FILE")
  Path pairsFile;

  @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder with one sub-folder per person.")
  Path images;

  @Mixin Cli.ReportDirOption outDir;

  @Mixin Cli.CacheOption cache;

  @Option(names = "--folds", defaultValue = "10", description = "Folds of the cross-validation (default ${DEFAULT-VALUE}).")
  int folds;

  @Option(names = "--calibration", paramLabel = "FILE",
      description = "Check a calibration: the FAR and TAR its thresholds give on these pairs.")
  Path calibrationFile;

  @Mixin Cli.JsonOption output;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PairsFile pairs = PairsFile.read(pairsFile, images);
    EmbeddingCache.Encoded encoded = EmbeddingCache.encode(encoderOptions,
        cache.orElse(outDir.dir.resolve("embeddings.cache")), pairs.images());
    Map<Path, Embedding> embeddings = encoded.embeddings();
    Map<Path, String> failures = encoded.failures();
    String embedderId = encoded.embedderId();
    int n = pairs.pairs().size();
    float[] scores = new float[n];
    boolean[] same = new boolean[n];
    int[] fold = new int[n];
    int unscored = 0;
    for (int i = 0; i < n; i++) {
      PairsFile.Pair p = pairs.pairs().get(i);
      Embedding a = embeddings.get(p.first());
      Embedding b = embeddings.get(p.second());
      // A pair without a face in one image counts as "different": a rejection, never skipped.
      scores[i] = a == null || b == null ? -1f : a.similarity(b);
      unscored += a == null || b == null ? 1 : 0;
      same[i] = p.same();
      fold[i] = p.fold();
    }
    if (pairs.folds() == 1) {
      fold = CrossValidation.stratifiedFolds(same, folds);
    }
    int k = pairs.folds() == 1 ? folds : pairs.folds();
    Scores pairScores = Scores.of(scores, same);
    CrossValidation cv = CrossValidation.run(scores, same, fold, k);
    Scores all = VerificationFigures.allVsAll(embeddings);

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("pairs_file", pairsFile.toString());
    figures.put("images", pairs.images().size());
    figures.put("images_without_face", failures.size());
    figures.put("pairs_without_face", unscored);
    Map<String, Object> cvFigures = new LinkedHashMap<>();
    cvFigures.put("folds", k);
    cvFigures.put("mean_accuracy", cv.mean());
    cvFigures.put("standard_deviation", cv.standardDeviation());
    cvFigures.put("standard_error", cv.standardError());
    cvFigures.put("fold_accuracies", cv.accuracies());
    cvFigures.put("fold_thresholds", cv.thresholds());
    figures.put("cross_validation", cvFigures);
    Map<String, Object> pairFigures = VerificationFigures.figures(pairScores);
    Map<String, Object> allFigures = VerificationFigures.figures(all);
    figures.put("pairs", pairFigures);
    figures.put("all_image_pairs", allFigures);
    List<List<String>> calibrationRows = new ArrayList<>();
    if (calibrationFile != null) {
      figures.put("calibration_check", calibrationCheck(Calibration.load(calibrationFile), all, calibrationRows));
    }

    String command = "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report = new Report("Verification: " + pairsFile.getFileName(), command, embedderId);
    report.section("Pairs protocol").paragraph(String.format(java.util.Locale.ROOT,
        "%d pairs over %d images (%d images without a face; %d pairs scored as different for that reason). "
            + "%d-fold cross-validation, threshold chosen on the other folds: %.2f%% ± %.2f%% (standard deviation; "
            + "standard error %.2f%%).", n, pairs.images().size(), failures.size(), unscored, k,
        100 * cv.mean(), 100 * cv.standardDeviation(), 100 * cv.standardError()));
    report.table(List.of("measure", "value"), VerificationFigures.rows(pairFigures));
    report.section("All image pairs").paragraph("Every pair of the images above: same folder = genuine, "
        + "different folders = impostor. Far more impostor comparisons than the pairs file, so low FARs can be measured.");
    report.table(List.of("measure", "value"), VerificationFigures.rows(allFigures));
    if (!calibrationRows.isEmpty()) {
      report.section("Calibration check").paragraph("Thresholds from " + calibrationFile
          + " applied to the image pairs here: the FAR they were set for against the FAR they give.");
      report.table(List.of("target FAR", "threshold", "observed FAR", "observed TAR"), calibrationRows);
    }
    Map<String, List<dev.semblance.evaluation.RocPoint>> curves = new LinkedHashMap<>();
    curves.put("pairs file", VerificationFigures.curve(pairScores));
    curves.put("all image pairs", VerificationFigures.curve(all));
    report.section("Curves").plot("ROC: TAR against FAR (log scale)", Charts.roc(curves))
        .plot("DET: FRR against FAR (log scales)", Charts.det(curves));
    Map<String, Double> marks = new LinkedHashMap<>();
    marks.put("best accuracy " + VerificationFigures.fmt("%.3f", pairScores.bestAccuracy().threshold()), pairScores.bestAccuracy().threshold());
    marks.put("default " + VerificationFigures.fmt("%.2f", (double) dev.semblance.Verifier.DEFAULT_THRESHOLD), (double) dev.semblance.Verifier.DEFAULT_THRESHOLD);
    marks.put("FAR 1e-3 " + VerificationFigures.fmt("%.3f", (double) all.thresholdForFar(1e-3)), (double) all.thresholdForFar(1e-3));
    report.section("Score distributions").plot("Pairs file: genuine and impostor similarities",
        Charts.histogram("pairs file", "genuine", pairScores.genuine(), "impostor", pairScores.impostor(), marks))
        .plot("All image pairs: genuine and impostor similarities",
            Charts.histogram("all image pairs", "genuine", all.genuine(), "impostor", all.impostor(), marks));
    if (!failures.isEmpty()) {
      report.section("Images without a usable face");
      report.table(List.of("image", "reason"), failures.entrySet().stream()
          .map(e -> List.of(e.getKey().toString(), e.getValue())).toList());
    }
    Path html = outDir.dir.resolve("report.html");
    report.write(html);
    Report.writeJson(outDir.dir.resolve("report.json"), figures);
    if (output.json) {
      System.out.println(Json.write(figures));
    } else {
      System.out.printf(java.util.Locale.ROOT,
          "%d pairs: %d-fold accuracy %.2f%% ± %.2f%%; EER %.2f%%; all %d image pairs: TAR %.2f%% at FAR 1e-3%n"
              + "report: %s%n", n, k, 100 * cv.mean(), 100 * cv.standardDeviation(),
          100 * pairScores.eer().far(), all.genuineCount() + all.impostorCount(),
          100 * all.tarAtFar(1e-3).tar(), html);
    }
    return 0;
  }

  static List<Map<String, Object>> calibrationCheck(Calibration calibration, Scores scores, List<List<String>> rows) {
    List<Map<String, Object>> checks = new ArrayList<>();
    for (double far : VerificationFigures.FARS) {
      if (far < calibration.minimumFar()) {
        continue;
      }
      double t = calibration.thresholdForFar(far);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("target_far", far);
      c.put("threshold", t);
      c.put("observed_far", scores.far(t));
      c.put("observed_tar", scores.tar(t));
      checks.add(c);
      rows.add(List.of(VerificationFigures.sci(far), VerificationFigures.fmt("%.4f", t), VerificationFigures.sci(scores.far(t)),
          VerificationFigures.pct(scores.tar(t))));
    }
    return checks;
  }
}
