package dev.semblance.examples;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceRejectedException;
import dev.semblance.Gallery;
import dev.semblance.QualityPolicy;
import dev.semblance.SemblanceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "enroll",
    description = {
      "Add people to a gallery (created if absent) from the main face of each image.",
      "  enroll --gallery FILE NAME IMAGE...",
      "  enroll --gallery-dir DIR [--key-file KEY] --from DIR   (one sub-folder per person)"
    })
final class EnrollCommand implements Callable<Integer> {
  @Mixin GalleryLocation location;

  @Option(
      names = "--from",
      paramLabel = "DIR",
      description = "A folder with one sub-folder of images per person.")
  Path from;

  @Parameters(paramLabel = "NAME IMAGE", description = "A name, then its images.")
  List<String> nameAndImages = new ArrayList<>();

  @Option(
      names = "--min-quality",
      paramLabel = "SCORE",
      description =
          "Refuse faces below this overall quality (0..1), turned more than 45° or with eyes"
              + " under 20 px apart; refused images are listed with the reasons.")
  Float minQuality;

  @Option(
      names = "--eyes-open",
      description =
          "Refuse faces whose eyes are not both open (and, without --min-quality, faces below the"
              + " default quality gate: overall score 0.7, yaw ±45°, eyes 20 px apart).")
  boolean eyesOpen;

  @Option(
      names = "--require-live",
      description = "Refuse faces that the liveness model takes for a photo of a photo or screen.")
  boolean requireLive;

  @Mixin Cli.JsonOption output;

  @Mixin Cli.EncoderOptions encoderOptions;

  record Skipped(String image, String reason) {}

  record Summary(String gallery, int enrolled, int images, List<Skipped> skipped, int identities) {}

  /** The quality policy asked for, or null when quality is not checked. */
  private QualityPolicy policy() {
    if (minQuality == null && !eyesOpen) {
      return null;
    }
    QualityPolicy policy =
        minQuality == null ? QualityPolicy.DEFAULT : QualityPolicy.DEFAULT.withMinScore(minQuality);
    policy = eyesOpen ? policy.requiringEyesOpen() : policy;
    return requireLive ? policy.requiringLiveness() : policy;
  }

  @Override
  public Integer call() {
    Map<String, List<Path>> people = new LinkedHashMap<>();
    if (from != null) {
      if (!nameAndImages.isEmpty()) {
        throw new IllegalArgumentException("give either --from DIR or NAME IMAGE..., not both");
      }
      people.putAll(Images.peopleIn(from));
    } else {
      if (nameAndImages.size() < 2) {
        throw new IllegalArgumentException("give a NAME and at least one IMAGE, or --from DIR");
      }
      people.put(
          nameAndImages.get(0),
          Images.expand(
              nameAndImages.subList(1, nameAndImages.size()).stream().map(Path::of).toList()));
    }
    int images = people.values().stream().mapToInt(List::size).sum();
    QualityPolicy policy = policy();
    try (Encoder encoder = encoderOptions.open(policy != null, requireLive);
        Gallery gallery = location.open(encoder, true)) {
      Progress progress = new Progress("enrolling", images);
      int enrolled = 0;
      List<Skipped> skipped = new ArrayList<>();
      for (Map.Entry<String, List<Path>> person : people.entrySet()) {
        List<Embedding> embeddings = new ArrayList<>();
        for (Path image : person.getValue()) {
          try {
            Face face = encoder.encodeMainFace(image);
            if (policy != null) {
              policy.requireAcceptable(face, "the face in " + image);
            } else if (requireLive && !face.liveness().orElseThrow().live()) {
              throw new FaceRejectedException(
                  "the face in " + image + " refused: not live",
                  List.of("not live"),
                  Set.of(QualityPolicy.Rule.LIVENESS));
            }
            embeddings.add(face.embedding());
          } catch (SemblanceException e) {
            skipped.add(new Skipped(image.toString(), e.getMessage()));
            System.err.println("skipped " + image + ": " + e.getMessage());
          }
          progress.step(image.getFileName().toString());
        }
        if (!embeddings.isEmpty()) {
          gallery.enroll(person.getKey(), embeddings);
          enrolled++;
        } else {
          System.err.println("not enrolled: no usable face for " + person.getKey());
        }
      }
      location.save(gallery);
      int used = images - skipped.size();
      if (output.json) {
        System.out.println(
            Json.write(new Summary(location.toString(), enrolled, used, skipped, gallery.size())));
      } else {
        System.out.printf(
            "enrolled %d identit%s from %d image%s (%d skipped); %s now holds %d identities%n",
            enrolled,
            enrolled == 1 ? "y" : "ies",
            used,
            used == 1 ? "" : "s",
            skipped.size(),
            location,
            gallery.size());
      }
      return enrolled > 0 ? Cli.OK : Cli.NO_MATCH;
    }
  }
}
