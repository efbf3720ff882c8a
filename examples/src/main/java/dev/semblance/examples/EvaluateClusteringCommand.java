package dev.semblance.examples;

import static dev.semblance.examples.VerificationFigures.fmt;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.clustering.ClusterMethod;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.evaluation.ClusteringQuality;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "clustering",
    description = {
      "Cluster the main face of every image of a folder of people (one sub-folder per person,"
          + " the truth) and score it: BCubed and pairwise precision, recall and F, clusters,"
          + " faces alone; for each method and cut-off asked for."
    })
final class EvaluateClusteringCommand implements Callable<Integer> {
  @Option(
      names = "--people",
      required = true,
      paramLabel = "DIR",
      description = "One sub-folder per person.")
  Path people;

  @Option(
      names = "--pairs",
      paramLabel = "FILE",
      description = "Only the images an LFW pairs file names (e.g. pairsDevTrain.txt).")
  Path pairs;

  @Option(
      names = "--method",
      split = ",",
      defaultValue = "CONNECTED_COMPONENTS,CHINESE_WHISPERS,AVERAGE_LINKAGE",
      description = "Methods, comma-separated (default: all).")
  List<ClusterMethod> methods;

  @Option(
      names = "--pairwise-fmr",
      split = ",",
      defaultValue = "1e-4,3e-5,1e-5,3e-6,1e-6",
      description = "Cut-offs as pairwise false match rates (default ${DEFAULT-VALUE}).")
  List<Double> fmrs;

  @Option(
      names = "--batches",
      defaultValue = "1",
      description =
          "Add the faces in this many batches, in a shuffled order, as an incremental library"
              + " would (default ${DEFAULT-VALUE}).")
  int batches;

  @Mixin Cli.ReportDirOption outDir;
  @Mixin Cli.CacheOption cache;
  @Mixin Cli.JsonOption output;
  @Mixin Cli.EncoderOptions encoderOptions;

  /** One method at one cut-off. */
  record Row(
      String method,
      double pairwiseFmr,
      double threshold,
      int batches,
      ClusteringQuality quality,
      double bcubedF,
      double pairwiseF,
      double seconds) {}

  /** Everything the command measured; report.json is this record. */
  record Figures(int images, int faces, int people, int imagesWithoutFace, List<Row> results) {}

  @Override
  public Integer call() {
    if (batches < 1) {
      throw new IllegalArgumentException("--batches must be at least 1: " + batches);
    }
    Set<Path> named = pairs == null ? null : namedBy(pairs);
    List<Path> images = new ArrayList<>();
    Images.peopleIn(people).values().stream()
        .flatMap(List::stream)
        .filter(p -> named == null || named.contains(p.toAbsolutePath().normalize()))
        .forEach(images::add);
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no images of " + people + " are named in " + pairs);
    }
    EmbeddingCache.Encoded encoded =
        EmbeddingCache.encode(
            encoderOptions, cache.orElse(outDir.dir.resolve("embeddings.cache")), images);
    List<FaceItem> faces = new ArrayList<>();
    List<String> truth = new ArrayList<>();
    for (Path image : images) {
      Embedding e = encoded.embeddings().get(image);
      if (e != null) {
        faces.add(new FaceItem(e, Double.NaN, image.toString()));
        truth.add(image.getParent().getFileName().toString());
      }
    }
    if (batches > 1) {
      // One shuffle for both lists, so that people are spread over the batches.
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < faces.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(13));
      List<FaceItem> f = order.stream().map(faces::get).toList();
      List<String> t = order.stream().map(truth::get).toList();
      faces = f;
      truth = t;
    }
    Calibration calibration = Calibration.bundled();
    if (!calibration.embedderId().equals(encoded.embedderId())) {
      throw new IllegalArgumentException(
          "the bundled calibration is for "
              + calibration.embedderId()
              + ", not for "
              + encoded.embedderId());
    }
    List<Row> rows = new ArrayList<>();
    for (ClusterMethod method : methods) {
      for (double fmr : fmrs) {
        ClusteringOptions options =
            ClusteringOptions.defaults().withMethod(method).withPairwiseFmr(fmr);
        long start = System.nanoTime();
        FaceClusters clusters = FaceClusters.create(calibration, options);
        for (int b = 0; b < batches; b++) {
          clusters.add(faces.subList(b * faces.size() / batches, (b + 1) * faces.size() / batches));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ClusteringQuality q = ClusteringQuality.of(clusters.labels(), truth);
        rows.add(
            new Row(
                method.name(),
                fmr,
                clusters.threshold(),
                batches,
                q,
                q.bcubedF(),
                q.pairwiseF(),
                seconds));
      }
    }
    Figures figures =
        new Figures(
            images.size(),
            faces.size(),
            new HashSet<>(truth).size(),
            encoded.failures().size(),
            rows);
    Report.writeJson(outDir.dir.resolve("report.json"), figures);
    Path html = outDir.dir.resolve("report.html");
    new Report(
            "Clustering: " + people.getFileName(),
            "semblance evaluate clustering",
            encoded.embedderId())
        .section("Clustering quality")
        .paragraph(
            figures.faces()
                + " faces of "
                + figures.people()
                + " people ("
                + figures.images()
                + " images, "
                + figures.imagesWithoutFace()
                + " without a face); faces left alone count as clusters of one; batches: "
                + batches)
        .table(header(), rows.stream().map(EvaluateClusteringCommand::cells).toList())
        .write(html);
    if (output.json) {
      System.out.println(Json.write(figures));
    } else {
      System.out.println(String.join("\t", header()));
      rows.forEach(r -> System.out.println(String.join("\t", cells(r))));
      System.out.println("report: " + html);
    }
    return Cli.OK;
  }

  private static List<String> header() {
    return List.of(
        "method",
        "pairwise FMR",
        "cut-off",
        "BCubed P",
        "BCubed R",
        "BCubed F",
        "pairwise P",
        "pairwise R",
        "pairwise F",
        "clusters",
        "people",
        "alone",
        "seconds");
  }

  private static List<String> cells(Row r) {
    ClusteringQuality q = r.quality();
    return List.of(
        r.method(),
        fmt("%.0e", r.pairwiseFmr()),
        fmt("%.3f", r.threshold()),
        fmt("%.4f", q.bcubedPrecision()),
        fmt("%.4f", q.bcubedRecall()),
        fmt("%.4f", q.bcubedF()),
        fmt("%.4f", q.pairwisePrecision()),
        fmt("%.4f", q.pairwiseRecall()),
        fmt("%.4f", q.pairwiseF()),
        Integer.toString(q.clusters()),
        Integer.toString(q.people()),
        fmt("%.1f%%", 100 * q.noiseShare()),
        fmt("%.2f", r.seconds()));
  }

  /** The images an LFW pairs file names, as absolute paths. */
  private Set<Path> namedBy(Path pairsFile) {
    Set<Path> named = new HashSet<>();
    for (Path image : PairsFile.read(pairsFile, people).images()) {
      named.add(image.toAbsolutePath().normalize());
    }
    return named;
  }
}
