package dev.semblance.examples;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.evaluation.DuplicateIdentities;
import dev.semblance.evaluation.Scores;
import java.nio.file.Path;
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
    name = "calibrate",
    description = {
      "Measure how similarity maps to false accept rate on the images of a pairs file",
      "(every same-folder pair genuine, every different-folder pair impostor), save the calibration,",
      "and print the threshold for the target FAR. Also writes FILE.html and FILE.json."
    })
final class CalibrateCommand implements Callable<Integer> {
  @Option(names = "--pairs", required = true, paramLabel = "FILE")
  Path pairsFile;

  @Option(names = "--images", required = true, paramLabel = "DIR")
  Path images;

  @Option(
      names = "--target-far",
      defaultValue = "1e-3",
      description = "FAR to report the threshold for (default ${DEFAULT-VALUE}).")
  double targetFar;

  @Option(names = "--out", required = true, paramLabel = "FILE")
  Path out;

  @Mixin Cli.CacheOption cache;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Spec CommandSpec spec;

  /** Everything the command measured; FILE.json is this record. */
  record Figures(
      String calibration,
      String embedder,
      int images,
      int imagesWithoutFace,
      double targetFar,
      double threshold,
      double tarAtThreshold,
      double minimumFar,
      List<DuplicateIdentities.Merge> merged,
      VerificationFigures.Summary scores) {}

  @Override
  public Integer call() {
    PairsFile pairs = PairsFile.read(pairsFile, images);
    EmbeddingCache.Encoded encoded =
        EmbeddingCache.encode(
            encoderOptions, cache.orElse(Path.of(out + ".embeddings")), pairs.images());
    Map<Path, Embedding> embeddings = encoded.embeddings();
    Map<Path, String> failures = encoded.failures();
    String embedderId = encoded.embedderId();
    List<Path> paths = embeddings.keySet().stream().sorted().toList();
    List<Embedding> faces = paths.stream().map(embeddings::get).toList();
    DuplicateIdentities.Result duplicates =
        DuplicateIdentities.find(
            faces, paths.stream().map(p -> p.getParent().getFileName().toString()).toList());
    Scores scores = Scores.ofAllPairs(faces, duplicates.identities());
    Calibration calibration =
        Calibration.fromScores(
            embedderId,
            String.format(
                Locale.ROOT,
                "all pairs of the %d images of %s with a face (%d genuine, %d impostor); %d names"
                    + " merged as one person (%d impostor pairs that were genuine)",
                embeddings.size(),
                pairsFile.getFileName(),
                scores.genuineCount(),
                scores.impostorCount(),
                duplicates.merges().size(),
                duplicates.impostorsRemoved()),
            scores);
    duplicates
        .merges()
        .forEach(
            m ->
                System.out.printf(
                    Locale.ROOT,
                    "one person under two names: %s and %s (%d cross pairs, mean %.3f; within"
                        + " the names %.3f)%n",
                    m.kept(),
                    m.merged(),
                    m.crossComparisons(),
                    m.meanCross(),
                    m.meanWithin()));
    calibration.save(out);
    double threshold = calibration.thresholdForFar(targetFar);

    VerificationFigures.Summary scoreFigures = VerificationFigures.Summary.of(scores);
    Figures figures =
        new Figures(
            out.toString(),
            embedderId,
            embeddings.size(),
            failures.size(),
            targetFar,
            threshold,
            scores.tar(threshold),
            calibration.minimumFar(),
            duplicates.merges(),
            scoreFigures);
    String command =
        "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report = new Report("Calibration: " + out.getFileName(), command, embedderId);
    report
        .section("Calibration")
        .paragraph(
            calibration.description()
                + ". Smallest supported FAR: "
                + VerificationFigures.sci(calibration.minimumFar())
                + ".");
    report.table(
        List.of("measure", "value"),
        List.of(
            List.of(
                "threshold for FAR " + VerificationFigures.sci(targetFar),
                VerificationFigures.fmt("%.4f", threshold)),
            List.of("TAR at that threshold", VerificationFigures.pct(scores.tar(threshold)))));
    report.table(List.of("measure", "value"), scoreFigures.rows());
    report
        .section("Curves")
        .plot("ROC", Charts.roc(Map.of("calibration data", VerificationFigures.curve(scores))))
        .plot("DET", Charts.det(Map.of("calibration data", VerificationFigures.curve(scores))))
        .plot(
            "Genuine and impostor similarities",
            Charts.histogram(
                "calibration data",
                "genuine",
                scores.genuine(),
                "impostor",
                scores.impostor(),
                Map.of("FAR " + VerificationFigures.sci(targetFar), threshold)));
    report.write(Path.of(out + ".html"));
    Report.writeJson(Path.of(out + ".json"), figures);
    System.out.printf(
        Locale.ROOT,
        "calibration of %s from %d images (%d genuine, %d impostor comparisons) written to %s%n"
            + "threshold for FAR %.1e: %.4f (TAR %.2f%% on the calibration data); FAR supported down to %.1e%n",
        embedderId,
        embeddings.size(),
        scores.genuineCount(),
        scores.impostorCount(),
        out,
        targetFar,
        threshold,
        100 * scores.tar(threshold),
        calibration.minimumFar());
    return Cli.OK;
  }
}
