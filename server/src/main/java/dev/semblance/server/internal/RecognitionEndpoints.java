package dev.semblance.server.internal;

import dev.semblance.Embedding;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.ImageFaces;
import dev.semblance.ThresholdReport;
import dev.semblance.Verification;
import dev.semblance.Verifier;
import dev.semblance.server.Role;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The recognition endpoints a door camera calls: detect, recognize and verify. A {@link
 * Role#RECOGNIZE} key gets the decision only (the subject matched, or unknown): no ranked
 * candidates, and the same answer for a name that is not enrolled as for one that did not match, so
 * that it learns no name but the one its probe matched. {@link Role#IDENTIFY} and admin keys get
 * the ranked candidates and their similarities.
 *
 * <p>Thread-safe: the gallery and encoder are, and nothing else is kept.
 */
final class RecognitionEndpoints {
  private static final int MAX_LIMIT = 100;

  private final Images images;
  private final Gallery gallery;
  private final GallerySize size;
  private final Payloads payloads;
  private final Verifier verifier;

  RecognitionEndpoints(
      Images images, Gallery gallery, GallerySize size, Payloads payloads, Verifier verifier) {
    this.images = images;
    this.gallery = gallery;
    this.size = size;
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
    boolean ranked = AccessControl.mayAct(ctx, Role.IDENTIFY);
    if (!ranked && ctx.queryParam("limit") != null) {
      throw new ApiError(
          403, "forbidden", "ranked candidates ('limit') need an identify or admin key");
    }
    int limit = Payloads.intParam(ctx, "limit", 3, 1, MAX_LIMIT);
    // The search runs on the inference pool too: a million-template scan is as heavy as a model.
    ImageFaces image = images.encode(payloads.image(ctx, "file"), "file");
    List<Embedding> probes = image.faces().stream().map(Face::embedding).toList();
    List<Identification> found = gallery.identifyAll(probes, ranked ? limit : 1);
    List<Views.FaceView> faces = new ArrayList<>();
    for (int i = 0; i < found.size(); i++) {
      faces.add(Views.recognized(image.faces().get(i), found.get(i), ranked));
    }
    ThresholdReport threshold = gallery.thresholdReport();
    ctx.json(
        new Views.Recognized(
            Images.size(image),
            threshold.threshold(),
            Views.threshold(threshold),
            size.get(),
            faces));
  }

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
    String name = SubjectNames.check(subject);
    if (!AccessControl.mayAct(ctx, Role.IDENTIFY)) {
      // The decision only: a name not enrolled reads as one that did not match.
      Verification v = gallery.contains(name) ? verifier.verify(source, name, gallery) : null;
      boolean match = v != null && v.match();
      ctx.json(
          new Views.Verified(
              match,
              match ? v.similarity() : null,
              verifier.threshold(),
              Views.detected(source),
              null,
              name));
      return;
    }
    SubjectEndpoints.existing(gallery, name);
    Verification v = verifier.verify(source, name, gallery);
    ctx.json(
        new Views.Verified(
            v.match(), v.similarity(), v.threshold(), Views.detected(source), null, name));
  }
}
