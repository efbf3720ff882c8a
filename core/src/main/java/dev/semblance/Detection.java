package dev.semblance;

import java.util.Objects;

/**
 * A face found by the detector alone: where it is and how sure the detector is, with no landmarks
 * or embedding yet. Cheap enough for every frame of a video; {@link Encoder#encode(RgbFrame,
 * java.util.List)} turns chosen detections into {@link Face}s.
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param box the face's box in pixels of the frame
 * @param score the detector's confidence in [0, 1]
 */
public record Detection(Box box, float score) {
  public Detection {
    Objects.requireNonNull(box, "box");
  }
}
