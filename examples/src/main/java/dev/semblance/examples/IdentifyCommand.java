package dev.semblance.examples;

import dev.semblance.Candidate;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
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
    name = "identify",
    description = "Name every face in each image from a gallery, or say unknown.")
final class IdentifyCommand implements Callable<Integer> {
  @Mixin GalleryLocation location;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files or folders.")
  List<Path> images;

  @Option(
      names = "--threshold",
      description = "Cosine-similarity threshold (default: the gallery's).")
  Float threshold;

  @Option(
      names = "-k",
      defaultValue = "3",
      description = "Candidates to list per face (default ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--annotate",
      paramLabel = "DIR",
      description = "Write labelled PNG copies into this folder.")
  Path annotate;

  @Mixin Cli.JsonOption output;

  @Mixin Cli.EncoderOptions encoderOptions;

  record FaceResult(
      Json.FaceJson face,
      String identity,
      float similarity,
      float distance,
      List<Candidate> candidates) {}

  record ImageResult(String image, List<FaceResult> faces) {}

  @Override
  public Integer call() {
    List<ImageResult> results = new ArrayList<>();
    try (Encoder encoder = encoderOptions.open();
        Gallery gallery = location.open(encoder, false)) {
      for (Path file : Images.expand(images)) {
        BufferedImage image = encoder.readImage(file);
        List<Face> faces = encoder.encode(image);
        List<FaceResult> named = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
          Identification id = gallery.identify(faces.get(i).embedding(), k);
          if (threshold != null) { // for this run only: a gallery directory would record a change
            id = new Identification(id.candidates(), threshold);
          }
          Candidate best = id.candidates().isEmpty() ? null : id.candidates().get(0);
          named.add(
              new FaceResult(
                  Json.FaceJson.of(i, faces.get(i)),
                  id.match().map(Candidate::identity).orElse("unknown"),
                  best == null ? Float.NaN : best.similarity(),
                  best == null ? Float.NaN : best.distance(),
                  id.candidates()));
        }
        results.add(new ImageResult(file.toString(), named));
        if (!output.json) {
          System.out.printf(
              Locale.ROOT, "%s: %d face%s%n", file, faces.size(), faces.size() == 1 ? "" : "s");
          for (FaceResult r : named) {
            float[] b = r.face().box();
            System.out.printf(
                Locale.ROOT,
                "  face %d at %.0f,%.0f  %-12s similarity %.3f  distance %.3f%n",
                r.face().index(),
                b[0],
                b[1],
                r.identity(),
                r.similarity(),
                r.distance());
          }
        }
        if (annotate != null) {
          Annotator.write(
              image,
              faces,
              i ->
                  named.get(i).identity()
                      + String.format(Locale.ROOT, " %.2f", named.get(i).similarity()),
              annotate.resolve(DetectCommand.baseName(file) + ".identified.png"));
        }
      }
    }
    if (output.json) {
      System.out.println(Json.write(results));
    }
    return 0;
  }
}
