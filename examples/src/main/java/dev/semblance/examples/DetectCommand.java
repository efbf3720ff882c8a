package dev.semblance.examples;

import dev.semblance.Box;
import dev.semblance.Encoder;
import dev.semblance.Face;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "detect",
    description = "List the faces in each image: box, score; optionally draw them.")
final class DetectCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files or folders.")
  List<Path> images;

  @Option(
      names = "--annotate",
      paramLabel = "OUT",
      description =
          "Write a PNG copy with boxes and landmarks: a file for one image, a folder for several.")
  Path annotate;

  @Mixin Cli.JsonOption output;

  @Mixin Cli.AnalysisOptions analysis;

  @Mixin Cli.EncoderOptions encoderOptions;

  record ImageJson(String image, int width, int height, List<Json.FaceJson> faces) {}

  @Override
  public Integer call() {
    List<Path> files = Images.expand(images);
    List<ImageJson> results = new ArrayList<>();
    try (Encoder encoder = encoderOptions.open(analysis.quality, analysis.liveness)) {
      for (Path file : files) {
        BufferedImage image = encoder.readImage(file);
        List<Face> faces = encoder.encode(image);
        results.add(
            new ImageJson(file.toString(), image.getWidth(), image.getHeight(), Json.faces(faces)));
        if (!output.json) {
          System.out.printf(
              Locale.ROOT,
              "%s: %d face%s (%dx%d)%n",
              file,
              faces.size(),
              faces.size() == 1 ? "" : "s",
              image.getWidth(),
              image.getHeight());
          for (int i = 0; i < faces.size(); i++) {
            Box b = faces.get(i).box();
            System.out.printf(
                Locale.ROOT,
                "  face %d  box %.0f,%.0f %.0fx%.0f  score %.3f%s%n",
                i,
                b.left(),
                b.top(),
                b.width(),
                b.height(),
                faces.get(i).score(),
                Cli.AnalysisOptions.describe(faces.get(i)));
          }
        }
        if (annotate != null) {
          Path out =
              files.size() == 1 && !annotate.toFile().isDirectory()
                  ? annotate
                  : annotate.resolve(baseName(file) + ".annotated.png");
          Annotator.write(
              image,
              faces,
              i -> "#" + i + String.format(Locale.ROOT, " %.2f", faces.get(i).score()),
              out);
        }
      }
    }
    if (output.json) {
      System.out.println(Json.write(results));
    }
    return 0;
  }

  static String baseName(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
