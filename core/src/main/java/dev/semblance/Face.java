package dev.semblance;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One face found in an image: where it is, how sure the detector is, its landmarks, its embedding
 * and, when the {@link Encoder} was asked for them, its quality and liveness.
 *
 * @param box the detector's box, in pixels of the (orientation-corrected) image; it may reach
 *     slightly past the image edge for faces cut off by it
 * @param score detector confidence in [0, 1]
 * @param landmarks five alignment points: left eye, right eye, nose tip, left and right mouth
 *     corner (left and right as seen in the image)
 * @param embedding the normalised embedding of the aligned face
 * @param quality present when the encoder was built with {@link Encoder.Builder#quality}
 * @param liveness present when the encoder was built with {@link Encoder.Builder#liveness}
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Face(
    Box box,
    float score,
    List<Point> landmarks,
    Embedding embedding,
    Optional<FaceQuality> quality,
    Optional<Liveness> liveness) {
  public Face {
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(embedding, "embedding");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(liveness, "liveness");
    landmarks = List.copyOf(landmarks);
  }

  /** A face without quality or liveness measurements. */
  public Face(Box box, float score, List<Point> landmarks, Embedding embedding) {
    this(box, score, landmarks, embedding, Optional.empty(), Optional.empty());
  }
}
