package dev.semblance.server.internal;

import dev.semblance.Box;
import dev.semblance.Candidate;
import dev.semblance.Face;
import dev.semblance.FaceQuality;
import dev.semblance.Identification;
import dev.semblance.Interval;
import dev.semblance.Point;
import dev.semblance.ThresholdReport;
import java.util.List;
import java.util.Locale;

/**
 * The JSON bodies of the API, as records (written in snake_case; absent parts are left out). Their
 * shapes are the schemas of {@code openapi.json}, which the tests check against real answers.
 */
final class Views {
  private Views() {}

  record Error(String code, String message, List<String> reasons) {}

  record Size(int width, int height) {}

  record LivenessView(float score, float threshold, boolean live) {}

  record Scored(String subject, float similarity) {}

  /** A face as detect, recognize and verify report it. */
  record FaceView(
      Box box,
      float detectorScore,
      List<Point> landmarks,
      FaceQuality quality,
      LivenessView liveness,
      List<Scored> subjects,
      Scored match) {}

  record Detected(Size image, List<FaceView> faces) {}

  record Recognized(
      Size image,
      float threshold,
      ThresholdView thresholdReport,
      int gallerySize,
      List<FaceView> faces) {}

  /** Where the threshold comes from and whether its target FPIR is held; nulls for "none". */
  record ThresholdView(
      String basis,
      Double targetFpir,
      Double expectedFpir,
      Double expectedFpirLow,
      Double expectedFpirHigh,
      boolean targetHeld,
      int selfSearches) {}

  static ThresholdView threshold(ThresholdReport r) {
    Interval e = r.expectedFpir();
    return new ThresholdView(
        r.basis().name().toLowerCase(Locale.ROOT),
        Double.isNaN(r.targetFpir()) ? null : r.targetFpir(),
        e == null ? null : e.estimate(),
        e == null ? null : e.low(),
        e == null ? null : e.high(),
        r.targetHeld(),
        r.selfSearches());
  }

  /** A comparison; {@code similarity} null where the key may see only the decision. */
  record Verified(
      boolean match,
      Float similarity,
      float threshold,
      FaceView sourceFace,
      FaceView targetFace,
      String subject) {}

  record SubjectSummary(String subject, int faces) {}

  record SubjectPage(List<SubjectSummary> subjects, int page, int size, int total) {}

  record Example(String imageId) {}

  record Examples(String subject, List<Example> faces) {}

  record Enrolled(String subject, String imageId, FaceQuality quality) {}

  record Renamed(String subject, String previous) {}

  record SubjectDeleted(String subject, int removedFaces) {}

  record ExampleDeleted(String subject, String imageId, boolean subjectRemoved) {}

  record Compacted(int subjects, int faces) {}

  record Health(String status, boolean live, boolean ready) {}

  /** What detect reports for a face: where it is and how good, no search. */
  static FaceView detected(Face face) {
    return new FaceView(
        face.box(),
        face.score(),
        face.landmarks(),
        face.quality().orElse(null),
        face.liveness().map(l -> new LivenessView(l.score(), l.threshold(), l.live())).orElse(null),
        null,
        null);
  }

  /**
   * A face with the open-set decision ({@code match} null = unknown) and, when {@code ranked}, its
   * ranked subjects.
   */
  static FaceView recognized(Face face, Identification id, boolean ranked) {
    FaceView seen = detected(face);
    List<Scored> candidates =
        ranked
            ? id.candidates().stream().map(c -> new Scored(c.identity(), c.similarity())).toList()
            : null;
    Scored match = id.match().map(Views::scored).orElse(null);
    return new FaceView(
        seen.box(),
        seen.detectorScore(),
        seen.landmarks(),
        seen.quality(),
        seen.liveness(),
        candidates,
        match);
  }

  private static Scored scored(Candidate c) {
    return new Scored(c.identity(), c.similarity());
  }
}
