package dev.semblance.examples;

import com.google.common.primitives.Floats;
import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.evaluation.OpenSetScores;
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
import picocli.CommandLine.Spec;

@Command(name = "identification",
    description = {"Open-set identification in NIST FRVT terms: CMC, FNIR at FPIR, DIR.",
        "People in the probe folder but not in the gallery are non-mated searches.",
        "--split DIR builds the protocol from one folder: for people with several images the first",
        "is enrolled and the rest are probes; people with one image are non-mated probes."})
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
    @Option(names = "--gallery-dir", required = true, paramLabel = "DIR", description = "One sub-folder per enrolled person.")
    Path galleryDir;

    @Option(names = "--probe-dir", required = true, paramLabel = "DIR", description = "One sub-folder per person searched for.")
    Path probeDir;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--distractors", paramLabel = "DIR", description = "Extra people enrolled to enlarge the gallery.")
  Path distractors;

  @Option(names = "--out", defaultValue = "evaluation", paramLabel = "DIR")
  Path out;

  @Option(names = "--cache", paramLabel = "FILE", description = "Embedding cache (default OUT/embeddings.cache).")
  Path cache;

  @Option(names = "--calibration", paramLabel = "FILE",
      description = "Check a calibration: the FPIR and FNIR its thresholds give for this gallery size.")
  Path calibrationFile;

  @Option(names = "--json", description = "Print the JSON figures instead of a summary.")
  boolean json;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Map<String, List<Path>> enroll = new TreeMap<>();
    Map<String, List<Path>> probes = new TreeMap<>();
    if (source.split != null) {
      Images.peopleIn(source.split).forEach((name, images) -> {
        if (images.size() > 1) {
          enroll.put(name, images.subList(0, 1));
          probes.put(name, images.subList(1, images.size()));
        } else {
          probes.put(name, images);
        }
      });
    } else {
      enroll.putAll(Images.peopleIn(source.folders.galleryDir));
      probes.putAll(Images.peopleIn(source.folders.probeDir));
    }
    Map<String, List<Path>> extra = distractors == null ? Map.of() : Images.peopleIn(distractors);
    List<Path> all = Stream.of(enroll, probes, extra).flatMap(m -> m.values().stream())
        .flatMap(List::stream).distinct().sorted().toList();

    EmbeddingCache.Encoded encoded = EmbeddingCache.encode(encoderOptions,
        cache != null ? cache : out.resolve("embeddings.cache"), all);
    Map<Path, Embedding> embeddings = encoded.embeddings();
    Map<Path, String> failures = encoded.failures();
    Gallery gallery = Gallery.create(encoded.embedderId(),
        embeddings.isEmpty() ? 1 : embeddings.values().iterator().next().dimension());
    enrollAll(gallery, enroll, embeddings, "");
    enrollAll(gallery, extra, embeddings, "distractor:");

    List<Integer> ranks = new ArrayList<>();
    List<Float> mateScores = new ArrayList<>();
    List<Float> nonMated = new ArrayList<>();
    for (Map.Entry<String, List<Path>> person : probes.entrySet()) {
      boolean mated = gallery.contains(person.getKey());
      for (Path image : person.getValue()) {
        Embedding probe = embeddings.get(image);
        if (probe == null) {
          // No face: the search returns nobody. A miss for a mate, a correct rejection otherwise.
          if (mated) {
            ranks.add(Integer.MAX_VALUE);
            mateScores.add(-1f);
          } else {
            nonMated.add(-1f);
          }
          continue;
        }
        Identification id = gallery.identify(probe, MAX_RANK);
        if (mated) {
          int rank = Integer.MAX_VALUE;
          for (int r = 0; r < id.candidates().size(); r++) {
            if (id.candidates().get(r).identity().equals(person.getKey())) {
              rank = r + 1;
              break;
            }
          }
          ranks.add(rank);
          mateScores.add(gallery.similarityTo(person.getKey(), probe));
        } else {
          nonMated.add(id.candidates().isEmpty() ? -1f : id.candidates().get(0).similarity());
        }
      }
    }
    OpenSetScores scores = OpenSetScores.of(ranks.stream().mapToInt(Integer::intValue).toArray(),
        Floats.toArray(mateScores), Floats.toArray(nonMated));

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("gallery_identities", gallery.size());
    figures.put("gallery_templates", gallery.templateCount());
    figures.put("mated_searches", scores.matedCount());
    figures.put("non_mated_searches", scores.nonMatedCount());
    figures.put("images_without_face", failures.size());
    double[] cmc = scores.matedCount() > 0 ? scores.cmc(MAX_RANK) : new double[0];
    figures.put("cmc", cmc);
    List<TarAtFar> dirs = new ArrayList<>();
    if (scores.matedCount() > 0 && scores.nonMatedCount() > 0) {
      for (double fpir : FPIRS) {
        dirs.add(scores.dirAtFpir(fpir));
      }
    }
    figures.put("dir_at_fpir", dirs);
    Map<String, Map<String, Double>> fixed = new LinkedHashMap<>();
    fixed.put("gallery_threshold", rates(scores, gallery.threshold()));
    fixed.put("verifier_default_threshold", rates(scores, dev.semblance.Verifier.DEFAULT_THRESHOLD));
    figures.put("at_thresholds", fixed);
    List<List<String>> calibrationRows = new ArrayList<>();
    if (calibrationFile != null && scores.matedCount() > 0) {
      figures.put("calibration_check", calibrationCheck(Calibration.load(calibrationFile), gallery, scores, calibrationRows));
    }

    String command = "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report = new Report("Open-set identification", command, gallery.embedderId());
    report.section("Protocol").paragraph(String.format(Locale.ROOT,
        "Gallery: %d identities, %d templates. %d mated searches (probe enrolled), %d non-mated (probe not enrolled); "
            + "%d images without a face (a search that finds no face returns nobody).",
        gallery.size(), gallery.templateCount(), scores.matedCount(), scores.nonMatedCount(), failures.size()));
    List<List<String>> rows = new ArrayList<>();
    for (int k = 0; k < cmc.length; k++) {
      if (k == 0 || k == 4 || k == cmc.length - 1) {
        rows.add(List.of("rank-" + (k + 1) + " identification rate (CMC)", VerificationFigures.pct(cmc[k])));
      }
    }
    for (TarAtFar d : dirs) {
      rows.add(List.of("FNIR at FPIR " + VerificationFigures.sci(d.targetFar()), d.supported()
          ? VerificationFigures.pct(1 - d.tar()) + " (DIR " + VerificationFigures.pct(d.tar()) + ", 95% CI of DIR "
              + VerificationFigures.pct(d.tarLow()) + "–" + VerificationFigures.pct(d.tarHigh()) + "), threshold "
              + VerificationFigures.fmt("%.4f", d.threshold()) + ", observed FPIR " + VerificationFigures.sci(d.far())
          : "not supported: " + d.impostors() + " non-mated searches < 1/FPIR"));
    }
    fixed.forEach((name, r) -> rows.add(List.of(
        (name.equals("gallery_threshold") ? "at the gallery's threshold " : "at the 1:1 default threshold ")
            + VerificationFigures.fmt("%.4f", r.get("threshold")),
        "FPIR " + (scores.nonMatedCount() > 0 ? VerificationFigures.sci(r.get("fpir")) : "n/a")
            + ", FNIR " + (scores.matedCount() > 0 ? VerificationFigures.pct(r.get("fnir")) : "n/a"))));
    report.table(List.of("measure", "value"), rows);
    if (!calibrationRows.isEmpty()) {
      report.section("Calibration check").paragraph("Thresholds from " + calibrationFile + " for this gallery's "
          + gallery.templateCount() + " templates, against the rates they give here.");
      report.table(List.of("target FPIR", "threshold", "observed FPIR", "observed FNIR"), calibrationRows);
    }
    if (cmc.length > 0) {
      double[][] cmcPoints = new double[cmc.length][];
      for (int k = 0; k < cmc.length; k++) {
        cmcPoints[k] = new double[] {k + 1, cmc[k]};
      }
      report.section("Curves").plot("CMC: identification rate by rank (no threshold)",
          Charts.line("CMC", "rank", "identification rate", Map.of("mated searches", cmcPoints), false));
      if (scores.nonMatedCount() > 0) {
        float[] sorted = scores.nonMatedBest();
        List<double[]> det = new ArrayList<>();
        for (int i = sorted.length - 1; i >= 0; i--) {
          double t = sorted[i];
          det.add(new double[] {scores.fpir(t), scores.fnir(t)});
        }
        report.plot("FNIR against FPIR (log scale), threshold swept over the non-mated scores",
            Charts.line("FNIR vs FPIR", "false positive identification rate (FPIR)", "false negative identification rate (FNIR)",
                Map.of("open set", det.toArray(double[][]::new)), true));
      }
      Map<String, Double> marks = new LinkedHashMap<>();
      marks.put("gallery threshold " + VerificationFigures.fmt("%.2f", (double) gallery.threshold()), (double) gallery.threshold());
      for (TarAtFar d : dirs) {
        if (d.supported()) {
          marks.put("FPIR " + VerificationFigures.sci(d.targetFar()), d.threshold());
        }
      }
      report.section("Score distributions").plot("Mate similarity of mated searches, best similarity of non-mated searches",
          Charts.histogram("open set", "mated (mate's score)", scores.mateScores(), "non-mated (best score)",
              scores.nonMatedBest(), marks));
    }
    Path html = out.resolve("report.html");
    report.write(html);
    Report.writeJson(out.resolve("report.json"), figures);
    if (json) {
      System.out.println(Json.write(figures));
    } else {
      System.out.printf(Locale.ROOT, "%d identities, %d mated and %d non-mated searches; rank-1 %s%s%nreport: %s%n",
          gallery.size(), scores.matedCount(), scores.nonMatedCount(),
          cmc.length > 0 ? VerificationFigures.pct(cmc[0]) : "n/a",
          dirs.isEmpty() ? "" : "; FNIR at FPIR " + VerificationFigures.sci(dirs.get(1).targetFar()) + ": "
              + (dirs.get(1).supported() ? VerificationFigures.pct(1 - dirs.get(1).tar()) : "not supported"),
          html);
    }
    return 0;
  }

  private static Map<String, Double> rates(OpenSetScores scores, double threshold) {
    Map<String, Double> r = new LinkedHashMap<>();
    r.put("threshold", threshold);
    r.put("fpir", scores.nonMatedCount() > 0 ? scores.fpir(threshold) : Double.NaN);
    r.put("fnir", scores.matedCount() > 0 ? scores.fnir(threshold) : Double.NaN);
    return r;
  }

  private static List<Map<String, Object>> calibrationCheck(Calibration calibration, Gallery gallery,
      OpenSetScores scores, List<List<String>> rows) {
    List<Map<String, Object>> checks = new ArrayList<>();
    for (double fpir : FPIRS) {
      double fmr = Calibration.fmrForFpir(fpir, gallery.templateCount());
      if (fmr < calibration.minimumFar()) {
        continue;
      }
      double t = calibration.thresholdForFpir(fpir, gallery.templateCount());
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("target_fpir", fpir);
      c.put("threshold", t);
      c.put("observed_fpir", scores.nonMatedCount() > 0 ? scores.fpir(t) : Double.NaN);
      c.put("observed_fnir", scores.fnir(t));
      checks.add(c);
      rows.add(List.of(VerificationFigures.sci(fpir), VerificationFigures.fmt("%.4f", t),
          scores.nonMatedCount() > 0 ? VerificationFigures.sci(scores.fpir(t)) : "n/a", VerificationFigures.pct(scores.fnir(t))));
    }
    return checks;
  }

  private static void enrollAll(Gallery gallery, Map<String, List<Path>> people, Map<Path, Embedding> embeddings, String prefix) {
    people.forEach((name, images) -> {
      List<Embedding> found = images.stream().map(embeddings::get).filter(e -> e != null).toList();
      if (!found.isEmpty()) {
        gallery.enroll(prefix + name, found);
      }
    });
  }

}
