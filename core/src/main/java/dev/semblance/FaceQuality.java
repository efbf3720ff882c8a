package dev.semblance;

/**
 * How fit a face is for recognition, measured on the face as found: its size, the sharpness and
 * exposure of the aligned crop, head pose, eye state, and one overall score that combines them.
 *
 * <p>The overall {@link #score()} predicts how well the face will match other photos of the same
 * person: it is a regression of each image's mean similarity to its mates on the components and the
 * embedder's own response, fitted on LFW {@code pairsDevTrain} images only (docs/quality.md). It is
 * about 0.7 for a good frontal photo and falls towards 0 for faces that recognition gets wrong.
 *
 * @param interOcularDistance distance between the eye centres, in pixels of the image
 * @param sharpness variance of the Laplacian of the aligned 112×112 grey face, in grey levels²;
 *     blurred or upscaled faces score low (below about 50), sharp ones several hundred
 * @param brightness mean grey level of the aligned face, in [0, 1]
 * @param contrast standard deviation of the grey level of the aligned face, in [0, 1]
 * @param yaw head rotation left–right in degrees, 0 facing the camera; positive when the face turns
 *     towards the image's left
 * @param pitch head rotation up–down in degrees; positive when the face looks up
 * @param roll in-plane head tilt in degrees
 * @param leftEyeOpen probability that the eye on the image's left is open, in [0, 1]
 * @param rightEyeOpen probability that the eye on the image's right is open, in [0, 1]
 * @param embeddingNorm length of the embedder's raw output before normalisation: the embedder's own
 *     evidence, longer for clear, frontal faces
 * @param score the overall quality in [0, 1], higher is better; NaN when the encoder's embedder has
 *     no {@link QualityModel} (a custom embedder), since the score weighs the embedder's own output
 *     <p><b>Thread safety.</b> Immutable.
 */
public record FaceQuality(
    float interOcularDistance,
    float sharpness,
    float brightness,
    float contrast,
    float yaw,
    float pitch,
    float roll,
    float leftEyeOpen,
    float rightEyeOpen,
    float embeddingNorm,
    float score) {

  /** Whether both eyes are more likely open than closed. */
  public boolean eyesOpen() {
    return leftEyeOpen >= 0.5f && rightEyeOpen >= 0.5f;
  }
}
