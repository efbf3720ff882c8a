package dev.semblance.server.internal;

import dev.semblance.Embedding;
import dev.semblance.Face;
import dev.semblance.FaceRejectedException;
import dev.semblance.Gallery;
import dev.semblance.QualityPolicy;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The endpoints that change who is enrolled (an admin key's): subjects, their faces, compaction.
 * Changes are serialised, so that "exists?" and "enrol" stay together, and each is written to the
 * audit log with the key that made it.
 *
 * <p>Thread-safe.
 */
final class SubjectEndpoints {
  private static final int MAX_PAGE_SIZE = 1000;

  private final Images images;
  private final Gallery gallery;
  private final Payloads payloads;
  private final QualityPolicy enrolmentPolicy;
  private final AuditLog audit;
  private final GallerySize size;
  private final ReentrantLock subjectChanges = new ReentrantLock();

  SubjectEndpoints(
      Images images,
      Gallery gallery,
      Payloads payloads,
      QualityPolicy enrolmentPolicy,
      AuditLog audit,
      GallerySize size) {
    this.images = images;
    this.gallery = gallery;
    this.payloads = payloads;
    this.enrolmentPolicy = enrolmentPolicy;
    this.audit = audit;
    this.size = size;
  }

  void listSubjects(Context ctx) {
    int page = Payloads.intParam(ctx, "page", 0, 0, Integer.MAX_VALUE);
    int size = Payloads.intParam(ctx, "size", 100, 1, MAX_PAGE_SIZE);
    List<Views.SubjectSummary> slice = new ArrayList<>();
    int total;
    subjectChanges.lock(); // a page of one state of the gallery: no subject leaves meanwhile
    try {
      List<String> names = new ArrayList<>(gallery.identities());
      total = names.size();
      long from = (long) page * size;
      for (long i = from; i < Math.min(names.size(), from + size); i++) {
        String name = names.get((int) i);
        slice.add(new Views.SubjectSummary(name, gallery.templates(name).size()));
      }
    } finally {
      subjectChanges.unlock();
    }
    ctx.json(new Views.SubjectPage(slice, page, size, total));
  }

  void createSubject(Context ctx) {
    String subject = SubjectNames.check(payloads.text(ctx, "subject"));
    Face face = Images.mainFace(images.encode(payloads.image(ctx, "file"), "file"), "file");
    subjectChanges.lock();
    try {
      if (gallery.contains(subject)) {
        throw new ApiError(
            409,
            "subject_exists",
            "subject '"
                + subject
                + "' exists; add faces with POST "
                + Api.PREFIX
                + "/subjects/{subject}/faces");
      }
      enrol(ctx, subject, face);
      size.changed(+1);
    } finally {
      subjectChanges.unlock();
    }
  }

  void addFace(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    Face face = Images.mainFace(images.encode(payloads.image(ctx, "file"), "file"), "file");
    subjectChanges.lock();
    try {
      existing(gallery, subject);
      enrol(ctx, subject, face);
    } finally {
      subjectChanges.unlock();
    }
  }

  private void enrol(Context ctx, String subject, Face face) {
    QualityPolicy policy = enrolmentPolicy;
    try {
      if (policy != null) { // the server refused to start if the encoder cannot serve it
        gallery.enroll(subject, List.of(face), policy);
      } else {
        gallery.enroll(subject, face.embedding());
      }
    } catch (FaceRejectedException e) {
      throw new ApiError(422, "face_rejected", e.getMessage(), e.reasons());
    }
    String imageId = imageId(face.embedding());
    audit.record(ctx, "enrol", "subject", subject, "image_id", imageId);
    ctx.status(201).json(new Views.Enrolled(subject, imageId, face.quality().orElse(null)));
  }

  void renameSubject(Context ctx) {
    String from = SubjectNames.check(ctx.pathParam("subject"));
    String to = SubjectNames.check(payloads.text(ctx, "subject"));
    subjectChanges.lock();
    try {
      existing(gallery, from);
      if (gallery.contains(to)) {
        throw new ApiError(409, "subject_exists", "subject '" + to + "' exists");
      }
      gallery.rename(from, to);
    } finally {
      subjectChanges.unlock();
    }
    audit.record(ctx, "rename", "subject", from, "to", to);
    ctx.json(new Views.Renamed(to, from));
  }

  void deleteSubject(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    int faces;
    subjectChanges.lock();
    try {
      faces = gallery.templates(existing(gallery, subject)).size();
      gallery.remove(subject);
      size.changed(-1);
    } finally {
      subjectChanges.unlock();
    }
    audit.record(ctx, "remove", "subject", subject, "faces", faces);
    ctx.json(new Views.SubjectDeleted(subject, faces));
  }

  void listFaces(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    List<Embedding> templates;
    subjectChanges.lock();
    try {
      templates = gallery.templates(existing(gallery, subject));
    } finally {
      subjectChanges.unlock();
    }
    ctx.json(
        new Views.Examples(
            subject, templates.stream().map(t -> new Views.Example(imageId(t))).toList()));
  }

  void deleteFace(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    String imageId = ctx.pathParam("image_id");
    boolean subjectRemoved;
    subjectChanges.lock();
    try {
      existing(gallery, subject);
      Optional<Embedding> template =
          gallery.templates(subject).stream().filter(t -> imageId(t).equals(imageId)).findFirst();
      if (template.isEmpty()) {
        throw new ApiError(
            404, "face_not_found", "subject '" + subject + "' has no face '" + imageId + "'");
      }
      gallery.removeTemplate(subject, template.get());
      subjectRemoved = !gallery.contains(subject);
      if (subjectRemoved) {
        size.changed(-1);
      }
    } finally {
      subjectChanges.unlock();
    }
    audit.record(
        ctx,
        "remove_face",
        "subject",
        subject,
        "image_id",
        imageId,
        "subject_removed",
        subjectRemoved);
    ctx.json(new Views.ExampleDeleted(subject, imageId, subjectRemoved));
  }

  void compact(Context ctx) {
    try {
      gallery.compact();
    } catch (IllegalStateException e) {
      throw new ApiError(409, "not_a_directory", "this server's gallery is held in memory only");
    }
    audit.record(ctx, "compact");
    ctx.json(new Views.Compacted(gallery.size(), gallery.templateCount()));
  }

  /** The subject's name in stored form, if it is enrolled; 404 otherwise. */
  static String existing(Gallery gallery, String subject) {
    String name = SubjectNames.check(subject);
    if (!gallery.contains(name)) {
      throw new ApiError(404, "subject_not_found", "no subject '" + name + "'");
    }
    return name;
  }

  /**
   * A face example's id: the first 64 bits of the SHA-256 of its template, so that it survives
   * restarts and compaction with nothing stored beside the gallery.
   */
  static String imageId(Embedding template) {
    float[] v = template.toArray();
    ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES);
    bytes.asFloatBuffer().put(v);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes.array());
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
