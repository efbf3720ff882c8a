package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which faces are good enough to enrol: a minimum overall quality, a maximum head turn, open eyes,
 * a minimum size and, optionally, a live presentation. Apply it with {@link Gallery#enroll(String,
 * List, QualityPolicy)} or {@link #check(Face)}.
 *
 * <p>The {@link #DEFAULT} values were chosen on LFW {@code pairsDevTrain} images (docs/quality.md):
 * they refuse the few photos that cause most false non-matches.
 *
 * @param minScore lowest {@link FaceQuality#score()} accepted, in [0, 1]; above 0, a face without
 *     an overall score (an embedder without a quality model) is refused
 * @param maxYaw largest absolute yaw accepted, in degrees (0, 90]
 * @param eyesOpen whether both eyes must be open
 * @param minInterOcularDistance smallest distance between the eyes, in pixels
 * @param requireLive whether the face must carry a {@link Liveness} that is {@link Liveness#live()}
 *     <p><b>Thread safety.</b> Immutable.
 */
public record QualityPolicy(
    float minScore,
    float maxYaw,
    boolean eyesOpen,
    float minInterOcularDistance,
    boolean requireLive) {

  /**
   * Overall score at least 0.7, yaw within ±45°, eyes at least 20 pixels apart; eyes and liveness
   * not required. Chosen on LFW {@code pairsDevTrain} (docs/quality.md): it refuses 2.4% of those
   * photos, which take part in half of their false non-matches at FMR 10⁻³, and 45% of blurred or
   * low-resolution copies of them, which take part in 91% of the copies' false non-matches. Open
   * eyes are not required by default since the eye model calls a sixth of those news photos' faces
   * not fully open (smiles, squints, glasses); require them for cooperative enrolment with {@link
   * #requiringEyesOpen()}.
   */
  public static final QualityPolicy DEFAULT = new QualityPolicy(0.7f, 45f, false, 20f, false);

  /** The rules a face can break, as {@link FaceRejectedException#rules()} names them. */
  public enum Rule {
    /** The overall quality score is below {@link #minScore()}, or there is none to check. */
    QUALITY,
    /** The head is turned beyond {@link #maxYaw()}. */
    POSE,
    /** An eye is not open though {@link #eyesOpen()} requires it. */
    EYES,
    /** The eyes are closer than {@link #minInterOcularDistance()}: the face is too small. */
    SIZE,
    /** The face is not live though {@link #requireLive()} requires it. */
    LIVENESS
  }

  /** A broken rule and how it was broken, e.g. {@code POSE, "yaw 41° beyond ±30°"}. */
  private record Broken(Rule rule, String reason) {}

  public QualityPolicy {
    checkArgument(minScore >= 0 && minScore <= 1, "minimum score must be in [0, 1]: %s", minScore);
    checkArgument(maxYaw > 0 && maxYaw <= 90, "maximum yaw must be in (0, 90]: %s", maxYaw);
    checkArgument(
        minInterOcularDistance >= 0 && Float.isFinite(minInterOcularDistance),
        "minimum inter-ocular distance must be finite and not negative: %s",
        minInterOcularDistance);
  }

  /** This policy with another minimum overall score. */
  public QualityPolicy withMinScore(float minScore) {
    return new QualityPolicy(minScore, maxYaw, eyesOpen, minInterOcularDistance, requireLive);
  }

  /** This policy, also requiring both eyes open. */
  public QualityPolicy requiringEyesOpen() {
    return new QualityPolicy(minScore, maxYaw, true, minInterOcularDistance, requireLive);
  }

  /** This policy, also requiring a live presentation. */
  public QualityPolicy requiringLiveness() {
    return new QualityPolicy(minScore, maxYaw, eyesOpen, minInterOcularDistance, true);
  }

  /**
   * The rules the face breaks; empty when it is acceptable.
   *
   * @throws IllegalArgumentException if the face carries no quality (or no liveness, when this
   *     policy requires it): the encoder must be built with {@link Encoder.Builder#quality}
   */
  public List<String> check(Face face) {
    return broken(face).stream().map(Broken::reason).toList();
  }

  private List<Broken> broken(Face face) {
    FaceQuality q =
        face.quality()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the face has no quality measurements: build the Encoder with"
                            + " quality(true) to apply a quality policy"));
    List<Broken> reasons = new ArrayList<>();
    if (Float.isNaN(q.score())) {
      if (minScore > 0) { // a gate that cannot be checked refuses: it must not fail open
        reasons.add(
            new Broken(
                Rule.QUALITY, "no overall quality score: the embedder has no quality model"));
      }
    } else if (q.score() < minScore) {
      // Printed as compared, in full: a score just under the minimum must not read as equal to it.
      reasons.add(new Broken(Rule.QUALITY, "quality " + q.score() + " < " + minScore));
    }
    if (Math.abs(q.yaw()) > maxYaw) {
      reasons.add(
          new Broken(
              Rule.POSE, String.format(Locale.ROOT, "yaw %.0f° beyond ±%.0f°", q.yaw(), maxYaw)));
    }
    if (eyesOpen && !q.eyesOpen()) {
      reasons.add(
          new Broken(
              Rule.EYES,
              String.format(
                  Locale.ROOT,
                  "eyes not open (left %.2f, right %.2f)",
                  q.leftEyeOpen(),
                  q.rightEyeOpen())));
    }
    if (q.interOcularDistance() < minInterOcularDistance) {
      reasons.add(
          new Broken(
              Rule.SIZE,
              String.format(
                  Locale.ROOT,
                  "eyes %.0f px apart < %.0f px",
                  q.interOcularDistance(),
                  minInterOcularDistance)));
    }
    if (requireLive) {
      Liveness l =
          face.liveness()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the policy requires liveness but the face has none: build the"
                              + " Encoder with liveness(true)"));
      if (!l.live()) {
        reasons.add(
            new Broken(
                Rule.LIVENESS, "not live (liveness " + l.score() + " < " + l.threshold() + ")"));
      }
    }
    return reasons;
  }

  /**
   * Throws unless the face is acceptable.
   *
   * @param what how the face is called in the message, e.g. {@code "face 2 of alice"}
   * @throws FaceRejectedException naming every broken rule
   */
  public void requireAcceptable(Face face, String what) {
    List<Broken> broken = broken(face);
    if (!broken.isEmpty()) {
      List<String> reasons = broken.stream().map(Broken::reason).toList();
      throw new FaceRejectedException(
          what + " refused: " + String.join("; ", reasons), reasons, rules(broken));
    }
  }

  /**
   * Throws unless every face of an enrolment of {@code identity} is acceptable.
   *
   * @throws FaceRejectedException naming each refused face and every rule it broke
   */
  void requireAll(String identity, List<Face> faces) {
    List<String> reasons = new ArrayList<>();
    Set<Rule> rules = EnumSet.noneOf(Rule.class);
    for (int i = 0; i < faces.size(); i++) {
      String face = faces.size() == 1 ? "face" : "face " + (i + 1);
      List<Broken> broken = broken(faces.get(i));
      broken.forEach(b -> reasons.add(face + ": " + b.reason()));
      rules.addAll(rules(broken));
    }
    if (!reasons.isEmpty()) {
      throw new FaceRejectedException(
          "refused to enrol '" + identity + "': " + String.join("; ", reasons), reasons, rules);
    }
  }

  private static Set<Rule> rules(List<Broken> broken) {
    Set<Rule> rules = EnumSet.noneOf(Rule.class);
    broken.forEach(b -> rules.add(b.rule()));
    return rules;
  }
}
