package dev.semblance;

/**
 * Whether a face is a live person in front of the camera (a bona fide presentation) rather than a
 * photo of a photo or of a screen (a presentation attack), by the bundled anti-spoofing model.
 *
 * <p>Measured on real photos and on attack-like images made from them (docs/quality.md); no real
 * attack data set was available, so treat the model as a first filter, not a certified detector.
 *
 * @param score the model's probability of a bona fide presentation, in [0, 1]
 * @param threshold the score at or above which the face counts as live
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Liveness(float score, float threshold) {

  /** Whether the score reached the threshold. */
  public boolean live() {
    return score >= threshold;
  }
}
