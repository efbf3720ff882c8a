package dev.semblance.examples;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.semblance.Box;
import dev.semblance.Calibration;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceQuality;
import dev.semblance.SemblanceException;
import dev.semblance.clustering.Cluster;
import dev.semblance.clustering.ClusterMethod;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.io.DurableFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "cluster",
    description = {
      "Group every face of a photo collection into people, without enrolling anyone.",
      "Writes clusters.json, clusters.csv (one row per face: path, face, cluster, and quality with"
          + " --quality; the cluster is empty for a face left alone) and contact-sheet.html (one"
          + " row of faces per cluster, biggest first, faces left alone last) to the output"
          + " folder."
    })
final class ClusterCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Image files or folders (walked recursively).")
  List<Path> paths;

  @Option(
      names = {"--out-dir", "--out"},
      required = true,
      paramLabel = "DIR",
      description = "Folder for clusters.json, clusters.csv and contact-sheet.html.")
  Path out;

  @Option(
      names = "--one-per-image",
      description = "Only the main face (the largest face near the centre) of each image.")
  boolean onePerImage;

  @Option(
      names = "--method",
      defaultValue = "AVERAGE_LINKAGE",
      description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  ClusterMethod method;

  @Option(
      names = "--pairwise-fmr",
      defaultValue = "1e-5",
      description =
          "False match rate of one comparison at the similarity cut-off (default ${DEFAULT-VALUE}).")
  double pairwiseFmr;

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description = "Calibration of the embedder (default: the bundled one, LFW DevTrain).")
  Path calibrationFile;

  @Option(
      names = "--min-cluster-size",
      defaultValue = "2",
      description = "Smaller clusters are reported as faces alone (default ${DEFAULT-VALUE}).")
  int minClusterSize;

  @Option(
      names = "--quality",
      description =
          "Measure each face's quality: shown on the contact sheet and in clusters.json and"
              + " clusters.csv.")
  boolean quality;

  @Option(
      names = "--min-quality",
      paramLabel = "SCORE",
      description =
          "Leave faces below this overall quality (0..1) out of every cluster, as faces alone;"
              + " implies --quality.")
  Double minQuality;

  @Mixin Cli.EncoderOptions encoderOptions;

  /** A face as written to clusters.json; quality only when measured. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FaceRef(String path, int face, float[] box, float score, Float quality) {}

  record ClusterEntry(int id, int size, List<FaceRef> faces) {}

  record Result(
      String embedder,
      String method,
      double pairwiseFmr,
      float threshold,
      int images,
      int faces,
      List<ClusterEntry> clusters,
      List<FaceRef> alone,
      Map<String, String> skipped) {}

  @Override
  public Integer call() {
    List<Path> files = Images.expand(paths);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no images found in " + paths);
    }
    ClusteringOptions options =
        ClusteringOptions.defaults()
            .withMethod(method)
            .withPairwiseFmr(pairwiseFmr)
            .withMinClusterSize(minClusterSize);
    boolean measure = quality || minQuality != null;
    if (minQuality != null) {
      options = options.withMinQuality(minQuality);
    }
    List<FaceRef> refs = new ArrayList<>();
    List<FaceItem> items = new ArrayList<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    try (Encoder encoder = encoderOptions.open(measure, false)) {
      String embedderId = encoder.embedderId();
      Progress progress = new Progress("encoding", files.size());
      for (Path file : files) {
        try {
          BufferedImage image = encoder.readImage(file);
          List<Face> faces = encoder.encode(image);
          if (faces.isEmpty()) {
            skipped.put(file.toString(), "no face found");
          }
          int main =
              faces.isEmpty()
                  ? -1
                  : Encoder.mainFaceIndex(faces, image.getWidth(), image.getHeight());
          for (int i = 0; i < faces.size(); i++) {
            if (onePerImage && i != main) {
              continue;
            }
            Face face = faces.get(i);
            Box b = face.box();
            Float score = face.quality().map(FaceQuality::score).orElse(null);
            refs.add(
                new FaceRef(
                    file.toString(),
                    i,
                    new float[] {b.left(), b.top(), b.right(), b.bottom()},
                    face.score(),
                    score));
            // Without quality measured, the detector's score ranks faces for enrolment.
            items.add(
                new FaceItem(
                    face.embedding(), score != null ? score : face.score(), file + "#" + i));
          }
        } catch (SemblanceException e) {
          skipped.put(file.toString(), e.getMessage());
        }
        progress.step(file.getFileName().toString());
      }
      return cluster(encoder, embedderId, files.size(), options, refs, items, skipped);
    }
  }

  private int cluster(
      Encoder encoder,
      String embedderId,
      int imageCount,
      ClusteringOptions options,
      List<FaceRef> refs,
      List<FaceItem> items,
      Map<String, String> skipped) {
    Calibration calibration =
        calibrationFile == null ? Calibration.bundled() : Calibration.load(calibrationFile);
    if (!calibration.embedderId().equals(embedderId)) {
      throw new IllegalArgumentException(
          "the calibration is for " + calibration.embedderId() + ", not for " + embedderId);
    }
    FaceClusters clusters = FaceClusters.of(items, calibration, options);

    List<ClusterEntry> entries = new ArrayList<>();
    for (Cluster c : clusters.clusters()) {
      entries.add(new ClusterEntry(c.id(), c.size(), c.faces().stream().map(refs::get).toList()));
    }
    List<FaceRef> alone = clusters.noise().stream().map(refs::get).toList();
    Result result =
        new Result(
            embedderId,
            method.name(),
            pairwiseFmr,
            clusters.threshold(),
            imageCount,
            refs.size(),
            entries,
            alone,
            skipped);
    writeAll(result, clusters.labels(), refs, encoder);
    System.err.printf(
        Locale.ROOT,
        "%d faces in %d images: %d clusters, %d faces alone, %d images unreadable or without a"
            + " face; cut-off %.3f (pairwise FMR %.0e); wrote %s%n",
        refs.size(),
        imageCount,
        entries.size(),
        alone.size(),
        skipped.size(),
        clusters.threshold(),
        pairwiseFmr,
        out);
    return Cli.OK;
  }

  private void writeAll(Result result, int[] labels, List<FaceRef> refs, Encoder encoder) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out, e);
    }
    Report.writeJson(out.resolve("clusters.json"), result);
    boolean measured = !refs.isEmpty() && refs.get(0).quality() != null;
    StringBuilder csv =
        new StringBuilder(measured ? "path,face,cluster,quality\n" : "path,face,cluster\n");
    for (int i = 0; i < refs.size(); i++) {
      csv.append(csvField(refs.get(i).path()))
          .append(',')
          .append(refs.get(i).face())
          .append(',')
          .append(labels[i] >= 0 ? Integer.toString(labels[i]) : "");
      if (measured) {
        csv.append(String.format(Locale.ROOT, ",%.3f", refs.get(i).quality()));
      }
      csv.append('\n');
    }
    DurableFiles.replace(
        out.resolve("clusters.csv"), o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
    ContactSheet.write(out.resolve("contact-sheet.html"), result, encoder::readImage);
  }

  /** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
  static String csvField(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
