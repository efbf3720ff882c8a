package dev.semblance.examples;

import dev.semblance.Calibration;
import dev.semblance.Candidate;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.QualityPolicy;
import dev.semblance.Verification;
import dev.semblance.Verifier;
import dev.semblance.clustering.Cluster;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    description = {
      "Run the whole pipeline on the sample group photos fetched by the build:",
      "detect and draw every face, enroll the faces of the first half of the photos into a",
      "gallery, then identify every face of the second half (or call it unknown);",
      "cluster every face of all photos into people with nobody enrolled; last, say which faces",
      "the default quality gate would refuse at enrolment, and which are live."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--samples",
      paramLabel = "DIR",
      description = "Folder of photos (default: the samples the build fetched).")
  Path samples;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      defaultValue = "demo-out",
      description = "Where annotated images and the gallery go (default ${DEFAULT-VALUE}).")
  Path out;

  @Mixin Cli.EncoderOptions encoderOptions;

  private record Photo(Path file, BufferedImage image, List<Face> faces) {}

  @Override
  public Integer call() throws IOException {
    Path dir =
        samples != null
            ? samples
            : Path.of(System.getProperty("semblance.samples", "examples/target/samples"));
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(Images::isImage).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "no sample photos in " + dir + " (build first: mvn -DskipTests package)", e);
    }
    if (files.size() < 2) {
      throw new IllegalArgumentException("the demo needs at least two photos in " + dir);
    }
    Files.createDirectories(out);
    try (Encoder encoder = encoderOptions.open(true, true)) {
      System.out.println(
          "1. Detect, align and encode every face (annotated copies in " + out + ")");
      List<Photo> photos = new ArrayList<>();
      long encoding = 0;
      for (Path file : files) {
        long start = System.nanoTime();
        BufferedImage image = encoder.readImage(file);
        List<Face> faces = encoder.encode(image);
        encoding += System.nanoTime() - start;
        photos.add(new Photo(file, image, faces));
        System.out.printf(
            Locale.ROOT,
            "   %-12s %4dx%-4d  %d faces%n",
            file.getFileName(),
            image.getWidth(),
            image.getHeight(),
            faces.size());
        Annotator.write(
            image,
            faces,
            i -> "#" + i,
            out.resolve(DetectCommand.baseName(file) + ".annotated.png"));
      }
      System.out.printf(
          Locale.ROOT,
          "   %.0f ms per photo (decoding included; the first warms up)%n",
          encoding / 1e6 / files.size());

      int half = photos.size() / 2;
      Gallery gallery = Gallery.create(encoder);
      for (Photo p : photos.subList(0, half)) {
        for (int i = 0; i < p.faces().size(); i++) {
          gallery.enroll(name(p, i), p.faces().get(i).embedding());
        }
      }
      Path galleryFile = out.resolve("demo.gallery");
      gallery.save(galleryFile);
      System.out.printf(
          Locale.ROOT,
          "%n2. Enrolled %d faces of %d photos, one shot each, into %s%n",
          gallery.size(),
          half,
          galleryFile);

      System.out.printf(
          Locale.ROOT,
          "%n3. Identify the faces of the other photos (open set: threshold %.2f, "
              + "set for 1%% of strangers wrongly named in a gallery of %d)%n",
          gallery.threshold(),
          gallery.templateCount());
      Verifier verifier = Verifier.withThreshold(gallery.threshold());
      for (Photo p : photos.subList(half, photos.size())) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < p.faces().size(); i++) {
          Identification id = gallery.identify(p.faces().get(i).embedding(), 1);
          Candidate best = id.candidates().get(0);
          String who = id.match().map(Candidate::identity).orElse("unknown");
          labels.add(who);
          Verification v = verifier.verify(p.faces().get(i).embedding(), best.identity(), gallery);
          System.out.printf(
              Locale.ROOT,
              "   %-14s -> %-14s closest %-14s similarity %.3f  distance %.3f%n",
              name(p, i),
              who,
              best.identity(),
              v.similarity(),
              v.distance());
        }
        Annotator.write(
            p.image(),
            p.faces(),
            labels::get,
            out.resolve(DetectCommand.baseName(p.file()) + ".identified.png"));
      }

      List<FaceItem> all = new ArrayList<>();
      for (Photo p : photos) {
        for (int i = 0; i < p.faces().size(); i++) {
          Face f = p.faces().get(i);
          all.add(new FaceItem(f.embedding(), f.score(), name(p, i)));
        }
      }
      FaceClusters people =
          FaceClusters.of(all, Calibration.bundled(), ClusteringOptions.defaults());
      System.out.printf(
          Locale.ROOT,
          "%n4. Cluster all %d faces into people, nobody enrolled (average linkage, cut-off %.3f)%n",
          all.size(),
          people.threshold());
      for (Cluster c : people.clusters()) {
        System.out.printf(
            Locale.ROOT,
            "   person %-3d %s%n",
            c.id(),
            String.join(" ", c.faces().stream().map(f -> all.get(f).source()).toList()));
      }
      System.out.printf(
          Locale.ROOT,
          "   alone      %s%n",
          String.join(" ", people.noise().stream().map(f -> all.get(f).source()).toList()));
      System.out.printf(
          Locale.ROOT,
          "%n5. Which faces are good enough to enrol, and live (QualityPolicy.DEFAULT: quality"
              + " >= %.1f, yaw within ±%.0f°, eyes >= %.0f px apart)%n",
          QualityPolicy.DEFAULT.minScore(),
          QualityPolicy.DEFAULT.maxYaw(),
          QualityPolicy.DEFAULT.minInterOcularDistance());
      int accepted = 0, live = 0;
      for (Photo p : photos) {
        for (int i = 0; i < p.faces().size(); i++) {
          Face f = p.faces().get(i);
          List<String> reasons = QualityPolicy.DEFAULT.check(f);
          accepted += reasons.isEmpty() ? 1 : 0;
          live += f.liveness().orElseThrow().live() ? 1 : 0;
          if (!reasons.isEmpty()) {
            System.out.printf(
                Locale.ROOT, "   %-14s refused: %s%n", name(p, i), String.join("; ", reasons));
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "   %d of %d faces accepted; %d of %d live (liveness >= %.3f)%n",
          accepted,
          all.size(),
          live,
          all.size(),
          Encoder.DEFAULT_LIVENESS_THRESHOLD);
      System.out.println(
          "\nSame photos, your own: bin/semblance enroll / identify / verify / cluster --help");
    }
    return 0;
  }

  private static String name(Photo p, int face) {
    return DetectCommand.baseName(p.file()) + "#" + face;
  }
}
