package dev.semblance;

import java.util.List;

/**
 * The overall quality score: {@code σ(intercept + Σ weight·feature)}, the probability that a
 * comparison of the face with another photo of the same person of equal quality is not among the
 * poorest tenth of genuine comparisons. Fitted by {@code bin/semblance evaluate quality --fit} on
 * LFW {@code pairsDevTrain} images and blurred or low-resolution copies of half of them, as a
 * logistic regression over their genuine comparisons. The features were chosen by cross-validation
 * over people (docs/quality.md): the embedding's norm, the eye state and the sharpness predict
 * errors; size, exposure, pose and the detector's score added nothing beyond them, so their weights
 * are zero. The features weigh the bundled embedder's raw output norm: the score is that
 * embedder's.
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class QualityModel {
  /** What each feature is, in the order of {@link #features}. */
  public static final List<String> FEATURE_NAMES =
      List.of(
          "log inter-ocular px",
          "log(1 + sharpness)",
          "|brightness - 0.5|",
          "contrast",
          "|yaw| / 45",
          "(|yaw| / 45)^2",
          "|pitch| / 45",
          "|roll| / 45",
          "min eye open",
          "detector score",
          "embedding norm");

  // From `evaluate quality --fit` (docs/quality.md).
  private static final double INTERCEPT = -10.747728;
  private static final double[] WEIGHTS = {0, 0.448579, 0, 0, 0, 0, 0, 0, 1.167577, 0, 3.149725};

  private QualityModel() {}

  /** The features of one face, as the fit saw them. */
  public static double[] features(FaceQuality q, float detectorScore) {
    double yaw = Math.abs(q.yaw()) / 45;
    return new double[] {
      Math.log(Math.max(1, q.interOcularDistance())),
      Math.log1p(Math.max(0, q.sharpness())),
      Math.abs(q.brightness() - 0.5),
      q.contrast(),
      yaw,
      yaw * yaw,
      Math.abs(q.pitch()) / 45,
      Math.abs(q.roll()) / 45,
      Math.min(q.leftEyeOpen(), q.rightEyeOpen()),
      detectorScore,
      q.embeddingNorm()
    };
  }

  /** The overall score in [0, 1]. */
  public static float score(FaceQuality components, float detectorScore) {
    double[] f = features(components, detectorScore);
    double s = INTERCEPT;
    for (int i = 0; i < f.length; i++) {
      s += WEIGHTS[i] * f[i];
    }
    return (float) (1 / (1 + Math.exp(-s)));
  }
}
