package dev.semblance;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "is this the same person?".
 *
 * @param similarity cosine similarity of the two embeddings, in [-1, 1]; higher is more alike
 * @param distance Euclidean distance of the unit embeddings, {@code sqrt(2 − 2·similarity)}
 * @param threshold the threshold used: on the similarity, or on the probability when there is one
 * @param match whether the score reached the threshold (and, when liveness was checked, the probe
 *     was live)
 * @param probability the logistic head's probability of "same person", or NaN when the decision was
 *     made on the cosine similarity
 * @param liveness the probe's liveness, when the {@link Verifier} checks it
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Verification(
    float similarity,
    float distance,
    float threshold,
    boolean match,
    double probability,
    Optional<Liveness> liveness) {

  public Verification {
    Objects.requireNonNull(liveness, "liveness");
  }

  /** A verification without a liveness check. */
  public Verification(
      float similarity, float distance, float threshold, boolean match, double probability) {
    this(similarity, distance, threshold, match, probability, Optional.empty());
  }

  static Verification of(float similarity, float threshold) {
    return new Verification(
        similarity,
        Embedding.distanceForSimilarity(similarity),
        threshold,
        similarity >= threshold,
        Double.NaN);
  }

  /** This verification with the probe's liveness: no match unless the probe is live. */
  Verification withLiveness(Liveness probe) {
    return new Verification(
        similarity, distance, threshold, match && probe.live(), probability, Optional.of(probe));
  }
}
