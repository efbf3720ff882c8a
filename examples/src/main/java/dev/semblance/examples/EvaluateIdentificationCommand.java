package dev.semblance.examples;

import static dev.semblance.examples.VerificationFigures.fmt;
import static dev.semblance.examples.VerificationFigures.pct;
import static dev.semblance.examples.VerificationFigures.sci;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Verifier;
import dev.semblance.evaluation.OpenSetScores;
import dev.semblance.evaluation.OpenSetScores.Probe;
import dev.semblance.evaluation.SyntheticFaces;
import dev.semblance.evaluation.TarAtFar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "identification",
    description = {
      "Open-set identification in NIST FRVT terms: CMC, FNIR at FPIR, DIR.",
      "People in the probe folder but not in the gallery are non-mated searches.",
      "--split DIR builds the protocol from one folder: for people with several images the first",
      "is enrolled and the rest are probes; people with one image are non-mated probes."
    })
final class EvaluateIdentificationCommand implements Callable<Integer> {
  static final double[] FPIRS = {0.1, 0.01, 0.001};
  static final int MAX_RANK = 10;

  static final class Source {
    @ArgGroup(exclusive = false)
    Folders folders;

    @Option(names = "--split", paramLabel = "DIR", required = true)
    Path split;
  }

  static final class Folders {
    @Option(
        names = "--enroll-dir",
        required = true,
        paramLabel = "DIR",
        description = "One sub-folder per enrolled person.")
    Path enrollDir;

    @Option(
        names = "--probe-dir",
        required = true,
        paramLabel = "DIR",
        description = "One sub-folder per person searched for.")
    Path probeDir;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(
      names = "--distractors",
      paramLabel = "DIR",
      description = "Extra people enrolled to enlarge the gallery.")
  Path distractors;

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description =
          "Check a calibration: the FPIR and FNIR its thresholds give for this gallery size.")
  Path calibrationFile;

  @Option(
      names = "--scale",
      split = ",",
      paramLabel = "N",
      description = {
        "Also fill the gallery with synthetic identities to each of these sizes and report the",
        "threshold each method sets for --target-fpir (the --calibration file or the bundled one,",
        "and the gallery's self-search) against the oracle threshold of the real strangers."
      })
  List<Integer> scale = List.of();

  @Option(
      names = "--synthetic-from",
      paramLabel = "DIR",
      description = "Images of people outside the evaluation, to fit the synthetic identities to.")
  Path syntheticFrom;

  @Option(
      names = "--target-fpir",
      defaultValue = "0.01",
      description = "Target FPIR of --scale (default ${DEFAULT-VALUE}).")
  double targetFpir;

  @Mixin Cli.ReportDirOption outDir;
  @Mixin Cli.CacheOption cache;
  @Mixin Cli.JsonOption output;
  @Mixin Cli.EncoderOptions encoderOptions;
  @Spec CommandSpec spec;

  /** FPIR and FNIR at one threshold. */
  record Rates(double threshold, double fpir, double fnir) {
    static Rates at(OpenSetScores scores, double threshold) {
      return new Rates(
          threshold,
          scores.nonMatedCount() > 0 ? scores.fpir(threshold) : Double.NaN,
          scores.matedCount() > 0 ? scores.fnir(threshold) : Double.NaN);
    }
  }

  /** A calibration's threshold for a target FPIR at this gallery's size, and what it gives here. */
  record CalibrationCheck(
      double targetFpir, double threshold, double observedFpir, double observedFnir) {}

  /** Everything the command measured; report.json is this record. */
  record Figures(
      int galleryIdentities,
      int galleryTemplates,
      int matedSearches,
      int nonMatedSearches,
      int imagesWithoutFace,
      double[] cmc,
      List<TarAtFar> dirAtFpir,
      Map<String, Rates> atThresholds,
      List<CalibrationCheck> calibrationCheck,
      List<ScaleCurves.Row> scale) {}

  @Override
  public Integer call() {
    Map<String, List<Path>> enrolled = new TreeMap<>();
    Map<String, List<Path>> probes = new TreeMap<>();
    if (source.split != null) {
      Images.peopleIn(source.split)
          .forEach(
              (name, images) -> {
                if (images.size() > 1) {
                  enrolled.put(name, images.subList(0, 1));
                  probes.put(name, images.subList(1, images.size()));
                } else {
                  probes.put(name, images);
                }
              });
    } else {
      enrolled.putAll(Images.peopleIn(source.folders.enrollDir));
      probes.putAll(Images.peopleIn(source.folders.probeDir));
    }
    if (!scale.isEmpty() && syntheticFrom == null) {
      throw new ParameterException(spec.commandLine(), "--scale needs --synthetic-from DIR");
    }
    Map<String, List<Path>> extra = distractors == null ? Map.of() : Images.peopleIn(distractors);
    Map<String, List<Path>> fitted =
        syntheticFrom == null ? Map.of() : Images.peopleIn(syntheticFrom);
    List<Path> all =
        Stream.of(enrolled, probes, extra, fitted)
            .flatMap(m -> m.values().stream())
            .flatMap(List::stream)
            .distinct()
            .sorted()
            .toList();
    EmbeddingCache.Encoded encoded =
        EmbeddingCache.encode(
            encoderOptions, cache.orElse(outDir.dir.resolve("embeddings.cache")), all);

    Map<Path, Embedding> embeddings = encoded.embeddings();
    Gallery gallery =
        Gallery.create(
            encoded.embedderId(),
            embeddings.isEmpty() ? 1 : embeddings.values().iterator().next().dimension());
    enrollAll(gallery, enrolled, embeddings, "");
    enrollAll(gallery, extra, embeddings, "distractor:");
    List<Probe> searches = new ArrayList<>();
    probes.forEach(
        (name, images) ->
            images.forEach(
                image ->
                    searches.add(
                        embeddings.containsKey(image)
                            ? Probe.of(name, embeddings.get(image))
                            : Probe.noFace(name))));
    OpenSetScores scores = OpenSetScores.search(gallery, searches, MAX_RANK);
    Calibration calibration = calibrationFile == null ? null : Calibration.load(calibrationFile);
    List<ScaleCurves.Row> curves = List.of();
    if (!scale.isEmpty()) {
      Map<String, List<Embedding>> real = new LinkedHashMap<>();
      gallery.identities().forEach(name -> real.put(name, gallery.templates(name)));
      List<Embedding> fitFaces =
          fitted.values().stream()
              .flatMap(List::stream)
              .map(embeddings::get)
              .filter(e -> e != null)
              .toList();
      curves =
          ScaleCurves.measure(
              real,
              searches,
              SyntheticFaces.fit(fitFaces),
              scale,
              calibration == null ? Calibration.bundled() : calibration,
              targetFpir);
    }
    Figures figures = figures(gallery, scores, encoded.failures().size(), calibration, curves);

    Report.writeJson(outDir.dir.resolve("report.json"), figures);
    Path html = outDir.dir.resolve("report.html");
    report(figures, scores, gallery).write(html);
    if (output.json) {
      System.out.println(Json.write(figures));
    } else {
      System.out.println(summary(figures, html));
      for (List<String> row : ScaleCurves.table(curves, figures.nonMatedSearches())) {
        System.out.println(String.join(" | ", row));
      }
    }
    return Cli.OK;
  }

  static Figures figures(
      Gallery gallery,
      OpenSetScores scores,
      int withoutFace,
      Calibration calibration,
      List<ScaleCurves.Row> curves) {
    List<TarAtFar> dirs = new ArrayList<>();
    if (scores.matedCount() > 0 && scores.nonMatedCount() > 0) {
      for (double fpir : FPIRS) {
        dirs.add(scores.dirAtFpir(fpir));
      }
    }
    Map<String, Rates> fixed = new LinkedHashMap<>();
    fixed.put("gallery_threshold", Rates.at(scores, gallery.threshold()));
    fixed.put("verifier_default_threshold", Rates.at(scores, Verifier.DEFAULT_THRESHOLD));
    List<CalibrationCheck> checks = new ArrayList<>();
    if (calibration != null && scores.matedCount() > 0) {
      for (double fpir : FPIRS) {
        if (Calibration.fmrForFpir(fpir, gallery.templateCount()) >= calibration.minimumFar()) {
          double t = calibration.thresholdForFpir(fpir, gallery.templateCount());
          Rates r = Rates.at(scores, t);
          checks.add(new CalibrationCheck(fpir, t, r.fpir(), r.fnir()));
        }
      }
    }
    return new Figures(
        gallery.size(),
        gallery.templateCount(),
        scores.matedCount(),
        scores.nonMatedCount(),
        withoutFace,
        scores.matedCount() > 0 ? scores.cmc(MAX_RANK) : new double[0],
        dirs,
        fixed,
        checks,
        curves);
  }

  private Report report(Figures f, OpenSetScores scores, Gallery gallery) {
    float galleryThreshold = gallery.threshold();
    String command =
        "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report = new Report("Open-set identification", command, gallery.embedderId());
    report
        .section("Protocol")
        .paragraph(
            String.format(
                Locale.ROOT,
                "Gallery: %d identities, %d templates. %d mated searches (probe enrolled), %d non-mated (probe not enrolled); "
                    + "%d images without a face (a search that finds no face returns nobody).",
                f.galleryIdentities(),
                f.galleryTemplates(),
                f.matedSearches(),
                f.nonMatedSearches(),
                f.imagesWithoutFace()));
    List<List<String>> rows = new ArrayList<>();
    double[] cmc = f.cmc();
    for (int k = 0; k < cmc.length; k++) {
      if (k == 0 || k == 4 || k == cmc.length - 1) {
        rows.add(List.of("rank-" + (k + 1) + " identification rate (CMC)", pct(cmc[k])));
      }
    }
    for (TarAtFar d : f.dirAtFpir()) {
      rows.add(
          List.of(
              "FNIR at FPIR " + sci(d.targetFar()),
              d.supported()
                  ? pct(1 - d.tar())
                      + " (DIR "
                      + pct(d.tar())
                      + ", 95% CI of DIR "
                      + pct(d.tarLow())
                      + "–"
                      + pct(d.tarHigh())
                      + "), threshold "
                      + fmt("%.4f", d.threshold())
                      + ", observed FPIR "
                      + sci(d.far())
                  : "not supported: " + d.impostors() + " non-mated searches < 1/FPIR"));
    }
    f.atThresholds()
        .forEach(
            (name, r) ->
                rows.add(
                    List.of(
                        (name.equals("gallery_threshold")
                                ? "at the gallery's threshold "
                                : "at the 1:1 default threshold ")
                            + fmt("%.4f", r.threshold()),
                        "FPIR "
                            + (f.nonMatedSearches() > 0 ? sci(r.fpir()) : "n/a")
                            + ", FNIR "
                            + (f.matedSearches() > 0 ? pct(r.fnir()) : "n/a"))));
    report.table(List.of("measure", "value"), rows);
    if (!f.calibrationCheck().isEmpty()) {
      report
          .section("Calibration check")
          .paragraph(
              "Thresholds from "
                  + calibrationFile
                  + " for this gallery's "
                  + f.galleryTemplates()
                  + " templates, against the rates they give here.");
      report.table(
          List.of("target FPIR", "threshold", "observed FPIR", "observed FNIR"),
          f.calibrationCheck().stream()
              .map(
                  c ->
                      List.of(
                          sci(c.targetFpir()),
                          fmt("%.4f", c.threshold()),
                          f.nonMatedSearches() > 0 ? sci(c.observedFpir()) : "n/a",
                          pct(c.observedFnir())))
              .toList());
    }
    if (!f.scale().isEmpty()) {
      report
          .section("As the gallery grows")
          .paragraph(
              "The gallery filled with synthetic identities (a Gaussian fitted to the faces of "
                  + syntheticFrom
                  + ", less risky than real people) to each size; thresholds for a target FPIR of "
                  + pct(targetFpir)
                  + ", and what they give on the real searches. The oracle reads its threshold off"
                  + " these strangers themselves.");
      report.table(ScaleCurves.HEADER, ScaleCurves.table(f.scale(), f.nonMatedSearches()));
      report
          .plot(
              "FPIR on the real strangers as the gallery grows (target " + pct(targetFpir) + ")",
              Charts.line(
                  "FPIR",
                  "gallery identities",
                  "FPIR",
                  ScaleCurves.curves(f.scale(), ScaleCurves.Row::fpir),
                  true))
          .plot(
              "FNIR at each method's threshold as the gallery grows",
              Charts.line(
                  "FNIR",
                  "gallery identities",
                  "FNIR",
                  ScaleCurves.curves(f.scale(), ScaleCurves.Row::fnir),
                  true));
    }
    if (cmc.length > 0) {
      double[][] cmcPoints = new double[cmc.length][];
      for (int k = 0; k < cmc.length; k++) {
        cmcPoints[k] = new double[] {k + 1, cmc[k]};
      }
      report
          .section("Curves")
          .plot(
              "CMC: identification rate by rank (no threshold)",
              Charts.line(
                  "CMC",
                  "rank",
                  "identification rate",
                  Map.of("mated searches", cmcPoints),
                  false));
      if (scores.nonMatedCount() > 0) {
        float[] sorted = scores.nonMatedBest();
        List<double[]> det = new ArrayList<>();
        for (int i = sorted.length - 1; i >= 0; i--) {
          det.add(new double[] {scores.fpir(sorted[i]), scores.fnir(sorted[i])});
        }
        report.plot(
            "FNIR against FPIR (log scale), threshold swept over the non-mated scores",
            Charts.line(
                "FNIR vs FPIR",
                "false positive identification rate (FPIR)",
                "false negative identification rate (FNIR)",
                Map.of("open set", det.toArray(double[][]::new)),
                true));
      }
      Map<String, Double> marks = new LinkedHashMap<>();
      marks.put(
          "gallery threshold " + fmt("%.2f", (double) galleryThreshold), (double) galleryThreshold);
      for (TarAtFar d : f.dirAtFpir()) {
        if (d.supported()) {
          marks.put("FPIR " + sci(d.targetFar()), d.threshold());
        }
      }
      report
          .section("Score distributions")
          .plot(
              "Mate similarity of mated searches, best similarity of non-mated searches",
              Charts.histogram(
                  "open set",
                  "mated (mate's score)",
                  scores.mateScores(),
                  "non-mated (best score)",
                  scores.nonMatedBest(),
                  marks));
    }
    return report;
  }

  private static String summary(Figures f, Path html) {
    TarAtFar middle = f.dirAtFpir().isEmpty() ? null : f.dirAtFpir().get(1);
    return String.format(
        Locale.ROOT,
        "%d identities, %d mated and %d non-mated searches; rank-1 %s%s%nreport: %s",
        f.galleryIdentities(),
        f.matedSearches(),
        f.nonMatedSearches(),
        f.cmc().length > 0 ? pct(f.cmc()[0]) : "n/a",
        middle == null
            ? ""
            : "; FNIR at FPIR "
                + sci(middle.targetFar())
                + ": "
                + (middle.supported() ? pct(1 - middle.tar()) : "not supported"),
        html);
  }

  private static void enrollAll(
      Gallery gallery,
      Map<String, List<Path>> people,
      Map<Path, Embedding> embeddings,
      String prefix) {
    people.forEach(
        (name, images) -> {
          List<Embedding> found =
              images.stream().map(embeddings::get).filter(e -> e != null).toList();
          if (!found.isEmpty()) {
            gallery.enroll(prefix + name, found);
          }
        });
  }
}
