package dev.semblance.server.internal;

import dev.semblance.Embedding;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.ImageFaces;
import dev.semblance.ThresholdReport;
import dev.semblance.Verification;
import dev.semblance.Verifier;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The recognition endpoints a door camera calls: detect, recognize and verify.
 *
 * <p>Thread-safe: the gallery and encoder are, and nothing else is kept.
 */
final class RecognitionEndpoints {
  private static final int MAX_LIMIT = 100;

  private final Images images;
  private final Gallery gallery;
  private final Payloads payloads;
  private final Verifier verifier;

  RecognitionEndpoints(Images images, Gallery gallery, Payloads payloads, Verifier verifier) {
    this.images = images;
    this.gallery = gallery;
    this.payloads = payloads;
    this.verifier = verifier;
  }

  void detect(Context ctx) {
    ImageFaces image = images.encode(payloads.image(ctx, "file"), "file");
    ctx.json(
        new Views.Detected(
            Images.size(image), image.faces().stream().map(Views::detected).toList()));
  }

  void recognize(Context ctx) {
    int limit = Payloads.intParam(ctx, "limit", 3, 1, MAX_LIMIT);
    byte[] bytes = payloads.image(ctx, "file");
    // The search runs on the inference pool too: a million-template scan is as heavy as a model.
    Recognition seen =
        images.onPool(
            () -> {
              ImageFaces image = images.decoded(bytes, "file");
              List<Embedding> probes = image.faces().stream().map(Face::embedding).toList();
              return new Recognition(image, gallery.identifyAll(probes, limit));
            });
    List<Views.FaceView> faces = new ArrayList<>();
    for (int i = 0; i < seen.found().size(); i++) {
      faces.add(Views.recognized(seen.image().faces().get(i), seen.found().get(i)));
    }
    ThresholdReport threshold = gallery.thresholdReport();
    ctx.json(
        new Views.Recognized(
            Images.size(seen.image()),
            threshold.threshold(),
            Views.threshold(threshold),
            gallery.size(),
            faces));
  }

  private record Recognition(ImageFaces image, List<Identification> found) {}

  void verify(Context ctx) {
    Face source = Images.mainFace(images.encode(payloads.image(ctx, "source"), "source"), "source");
    byte[] targetImage = payloads.optionalImage(ctx, "target");
    String subject = payloads.optionalText(ctx, "subject");
    if ((targetImage == null) == (subject == null)) {
      throw ApiError.badRequest(
          "missing_field", "give either a 'target' image or a 'subject' to verify against");
    }
    if (targetImage != null) {
      Face target = Images.mainFace(images.encode(targetImage, "target"), "target");
      Verification v = verifier.verify(source, target);
      ctx.json(
          new Views.Verified(
              v.match(),
              v.similarity(),
              v.threshold(),
              Views.detected(source),
              Views.detected(target),
              null));
      return;
    }
    String name = SubjectEndpoints.existing(gallery, subject);
    Verification v = verifier.verify(source, name, gallery);
    ctx.json(
        new Views.Verified(
            v.match(), v.similarity(), v.threshold(), Views.detected(source), null, name));
  }
}
