package dev.semblance.examples;

import static dev.semblance.examples.VerificationFigures.fmt;
import static dev.semblance.examples.VerificationFigures.pct;
import static dev.semblance.examples.VerificationFigures.sci;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.Verifier;
import dev.semblance.evaluation.CrossValidation;
import dev.semblance.evaluation.RocPoint;
import dev.semblance.evaluation.Scores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "pairs",
    description = {
      "Verification accuracy on an LFW-style pairs file: accuracy, k-fold protocol, ROC, DET,",
      "EER, TAR at FAR; plus every same/different-folder pair of its images for low FARs."
    })
final class EvaluatePairsCommand implements Callable<Integer> {
  @Option(names = "--pairs", required = true, paramLabel = "FILE")
  Path pairsFile;

  @Option(
      names = "--images",
      required = true,
      paramLabel = "DIR",
      description = "Folder with one sub-folder per person.")
  Path images;

  @Option(
      names = "--folds",
      defaultValue = "10",
      description = "Folds of the cross-validation (default ${DEFAULT-VALUE}).")
  int folds;

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description = "Check a calibration: the FAR and TAR its thresholds give on these pairs.")
  Path calibrationFile;

  @Mixin Cli.ReportDirOption outDir;
  @Mixin Cli.CacheOption cache;
  @Mixin Cli.JsonOption output;
  @Mixin Cli.EncoderOptions encoderOptions;
  @Spec CommandSpec spec;

  /** The k-fold protocol's outcome: the threshold is chosen on the other folds. */
  record CrossValidated(
      int folds,
      double meanAccuracy,
      double standardDeviation,
      double standardError,
      double[] foldAccuracies,
      double[] foldThresholds) {
    static CrossValidated of(CrossValidation cv, int folds) {
      return new CrossValidated(
          folds,
          cv.mean(),
          cv.standardDeviation(),
          cv.standardError(),
          cv.accuracies(),
          cv.thresholds());
    }
  }

  /** A calibration's threshold for a target FAR, and what it gives on these images. */
  record CalibrationCheck(
      double targetFar, double threshold, double observedFar, double observedTar) {}

  /** Everything the command measured; report.json is this record. */
  record Figures(
      String pairsFile,
      int images,
      int imagesWithoutFace,
      int pairsWithoutFace,
      CrossValidated crossValidation,
      VerificationFigures.Summary pairs,
      VerificationFigures.Summary allImagePairs,
      List<CalibrationCheck> calibrationCheck) {}

  @Override
  public Integer call() {
    PairsFile pairs = PairsFile.read(pairsFile, images);
    EmbeddingCache.Encoded encoded =
        EmbeddingCache.encode(
            encoderOptions, cache.orElse(outDir.dir.resolve("embeddings.cache")), pairs.images());
    Map<Path, Embedding> embeddings = encoded.embeddings();
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
    int k = pairs.folds() == 1 ? folds : pairs.folds();
    if (pairs.folds() == 1) {
      fold = CrossValidation.stratifiedFolds(same, folds);
    }
    Scores pairScores = Scores.of(scores, same);
    Scores all = VerificationFigures.allVsAll(embeddings);
    List<CalibrationCheck> checks =
        calibrationFile == null
            ? List.of()
            : calibrationCheck(Calibration.load(calibrationFile), all);
    Figures figures =
        new Figures(
            pairsFile.toString(),
            pairs.images().size(),
            encoded.failures().size(),
            unscored,
            CrossValidated.of(CrossValidation.run(scores, same, fold, k), k),
            VerificationFigures.Summary.of(pairScores),
            VerificationFigures.Summary.of(all),
            checks);

    Report.writeJson(outDir.dir.resolve("report.json"), figures);
    Path html = outDir.dir.resolve("report.html");
    report(figures, pairScores, all, encoded.failures(), encoded.embedderId()).write(html);
    if (output.json) {
      System.out.println(Json.write(figures));
    } else {
      CrossValidated cv = figures.crossValidation();
      System.out.printf(
          Locale.ROOT,
          "%d pairs: %d-fold accuracy %.2f%% ± %.2f%%; EER %.2f%%; all %d image pairs: TAR %.2f%% at FAR 1e-3%n"
              + "report: %s%n",
          n,
          k,
          100 * cv.meanAccuracy(),
          100 * cv.standardDeviation(),
          100 * figures.pairs().eer(),
          all.genuineCount() + all.impostorCount(),
          100 * all.tarAtFar(1e-3).tar(),
          html);
    }
    return Cli.OK;
  }

  static List<CalibrationCheck> calibrationCheck(Calibration calibration, Scores scores) {
    List<CalibrationCheck> checks = new ArrayList<>();
    for (double far : VerificationFigures.FARS) {
      if (far >= calibration.minimumFar()) {
        double t = calibration.thresholdForFar(far);
        checks.add(new CalibrationCheck(far, t, scores.far(t), scores.tar(t)));
      }
    }
    return checks;
  }

  private Report report(
      Figures f, Scores pairScores, Scores all, Map<Path, String> failures, String embedderId) {
    String command =
        "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report = new Report("Verification: " + pairsFile.getFileName(), command, embedderId);
    CrossValidated cv = f.crossValidation();
    report
        .section("Pairs protocol")
        .paragraph(
            String.format(
                Locale.ROOT,
                "%d pairs over %d images (%d images without a face; %d pairs scored as different for that reason). "
                    + "%d-fold cross-validation, threshold chosen on the other folds: %.2f%% ± %.2f%% (standard deviation; "
                    + "standard error %.2f%%).",
                pairScores.genuineCount() + pairScores.impostorCount(),
                f.images(),
                f.imagesWithoutFace(),
                f.pairsWithoutFace(),
                cv.folds(),
                100 * cv.meanAccuracy(),
                100 * cv.standardDeviation(),
                100 * cv.standardError()));
    report.table(List.of("measure", "value"), f.pairs().rows());
    report
        .section("All image pairs")
        .paragraph(
            "Every pair of the images above: same folder = genuine, "
                + "different folders = impostor. Far more impostor comparisons than the pairs file, so low FARs can be measured.");
    report.table(List.of("measure", "value"), f.allImagePairs().rows());
    if (!f.calibrationCheck().isEmpty()) {
      report
          .section("Calibration check")
          .paragraph(
              "Thresholds from "
                  + calibrationFile
                  + " applied to the image pairs here: the FAR they were set for against the FAR they give.");
      report.table(
          List.of("target FAR", "threshold", "observed FAR", "observed TAR"),
          f.calibrationCheck().stream()
              .map(
                  c ->
                      List.of(
                          sci(c.targetFar()),
                          fmt("%.4f", c.threshold()),
                          sci(c.observedFar()),
                          pct(c.observedTar())))
              .toList());
    }
    Map<String, List<RocPoint>> curves = new LinkedHashMap<>();
    curves.put("pairs file", VerificationFigures.curve(pairScores));
    curves.put("all image pairs", VerificationFigures.curve(all));
    report
        .section("Curves")
        .plot("ROC: TAR against FAR (log scale)", Charts.roc(curves))
        .plot("DET: FRR against FAR (log scales)", Charts.det(curves));
    Map<String, Double> marks = new LinkedHashMap<>();
    double best = f.pairs().bestAccuracyThreshold();
    double atFar = all.thresholdForFar(1e-3);
    marks.put("best accuracy " + fmt("%.3f", best), best);
    marks.put(
        "default " + fmt("%.2f", Verifier.DEFAULT_THRESHOLD), (double) Verifier.DEFAULT_THRESHOLD);
    marks.put("FAR 1e-3 " + fmt("%.3f", atFar), atFar);
    report
        .section("Score distributions")
        .plot(
            "Pairs file: genuine and impostor similarities",
            Charts.histogram(
                "pairs file",
                "genuine",
                pairScores.genuine(),
                "impostor",
                pairScores.impostor(),
                marks))
        .plot(
            "All image pairs: genuine and impostor similarities",
            Charts.histogram(
                "all image pairs", "genuine", all.genuine(), "impostor", all.impostor(), marks));
    if (!failures.isEmpty()) {
      report.section("Images without a usable face");
      report.table(
          List.of("image", "reason"),
          failures.entrySet().stream()
              .map(e -> List.of(e.getKey().toString(), e.getValue()))
              .toList());
    }
    return report;
  }
}
