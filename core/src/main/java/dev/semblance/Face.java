package dev.semblance;

import java.util.List;
import java.util.Objects;

/**
 * One face found in an image: where it is, how sure the detector is, its landmarks and its
 * embedding.
 *
 * @param box the detector's box, in pixels of the (orientation-corrected) image; it may reach
 *     slightly past the image edge for faces cut off by it
 * @param score detector confidence in [0, 1]
 * @param landmarks five alignment points: left eye, right eye, nose tip, left and right mouth
 *     corner (left and right as seen in the image)
 * @param embedding the normalised embedding of the aligned face
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Face(Box box, float score, List<Point> landmarks, Embedding embedding) {
  public Face {
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(embedding, "embedding");
    landmarks = List.copyOf(landmarks);
  }
}
