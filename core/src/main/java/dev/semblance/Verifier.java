package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * One-to-one face verification: two faces are the same person when the cosine similarity of their
 * embeddings reaches a threshold τ.
 *
 * <pre>{@code
 * Verification v = Verifier.withDefaultThreshold().verify(faceA, faceB);
 * if (v.match()) { ... }   // v.similarity() >= v.threshold()
 * }</pre>
 *
 * <p><b>Thread safety.</b> Immutable and safe for concurrent use.
 */
public final class Verifier {
  /**
   * The default similarity threshold for the bundled embedder: the threshold of best accuracy on
   * LFW's {@code pairsDevTrain.txt} (1,100 same-person and 1,100 different-person pairs); see
   * {@code docs/accuracy.md} for how it was measured and what it gives on held-out pairs. Faces
   * with cosine similarity at or above it are declared the same person.
   */
  public static final float DEFAULT_THRESHOLD = 0.30f;

  private final float threshold;
  private final LogisticHead head; // null: decide on cosine similarity
  private final boolean checksLiveness;

  private Verifier(float threshold, LogisticHead head) {
    this(threshold, head, false);
  }

  private Verifier(float threshold, LogisticHead head, boolean checksLiveness) {
    this.threshold = threshold;
    this.head = head;
    this.checksLiveness = checksLiveness;
  }

  /**
   * This verifier, also requiring the probe face to be live: comparing faces then needs faces from
   * an {@link Encoder} built with {@code liveness(true)}, and a probe that is not live never
   * matches ({@link Verification#liveness()} says why). The probe is the first face of {@link
   * #verify(Face, Face)}; a gallery's templates are not checked.
   */
  public Verifier requiringLiveness() {
    return new Verifier(threshold, head, true);
  }

  /** Whether a probe must be live to match ({@link #requiringLiveness()}). */
  public boolean requiresLiveness() {
    return checksLiveness;
  }

  /**
   * A verifier that decides with a trained logistic head instead of a similarity threshold: a match
   * when the head's probability of "same person" is at least 0.5. The similarity is still reported.
   * The head must come from the embedder producing the faces compared.
   */
  public static Verifier withLogisticHead(LogisticHead head) {
    return new Verifier(0.5f, Objects.requireNonNull(head, "head"));
  }

  /** A verifier using {@link #DEFAULT_THRESHOLD}, tuned for the bundled embedder. */
  public static Verifier withDefaultThreshold() {
    return new Verifier(DEFAULT_THRESHOLD, null);
  }

  /**
   * A verifier that declares a match when cosine similarity is at least {@code threshold}.
   *
   * @throws IllegalArgumentException unless {@code -1 <= threshold <= 1}
   */
  public static Verifier withThreshold(float threshold) {
    checkArgument(
        threshold >= -1f && threshold <= 1f,
        "similarity threshold must be in [-1, 1]: %s",
        threshold);
    return new Verifier(threshold, null);
  }

  /**
   * A verifier whose threshold gives a false accept rate of {@code targetFar} according to {@code
   * calibration}, which must come from the embedder producing the faces compared.
   *
   * @throws IllegalArgumentException if the calibration cannot support so low a FAR
   */
  public static Verifier forTargetFar(Calibration calibration, double targetFar) {
    return withThreshold((float) calibration.thresholdForFar(targetFar));
  }

  public float threshold() {
    return threshold;
  }

  /**
   * Compares two embeddings.
   *
   * @throws IllegalArgumentException if their dimensions differ
   */
  public Verification verify(Embedding a, Embedding b) {
    float similarity = a.similarity(b);
    if (head == null) {
      return Verification.of(similarity, threshold);
    }
    double p = head.probability(a, b);
    return new Verification(
        similarity, Embedding.distanceForSimilarity(similarity), threshold, p >= threshold, p);
  }

  /**
   * Compares the embeddings of two faces; see {@link #verify(Embedding, Embedding)}. With {@link
   * #requiringLiveness()}, {@code probe} must be live.
   *
   * @throws IllegalArgumentException if liveness is required and the probe carries none
   */
  public Verification verify(Face probe, Face reference) {
    return checkLiveness(probe, verify(probe.embedding(), reference.embedding()));
  }

  private Verification checkLiveness(Face probe, Verification v) {
    if (!checksLiveness) {
      return v;
    }
    Liveness liveness =
        probe
            .liveness()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "this verifier requires liveness but the probe has none: build the"
                            + " Encoder with liveness(true)"));
    return v.withLiveness(liveness);
  }

  /**
   * Is {@code probe} the enrolled {@code identity}? Compares against that identity's closest
   * template in {@code gallery}.
   *
   * @throws IllegalArgumentException if the identity is not enrolled or the dimensions differ
   */
  public Verification verify(Embedding probe, String identity, Gallery gallery) {
    Objects.requireNonNull(gallery, "gallery");
    checkArgument(
        head == null, "a logistic-head verifier compares two embeddings; use verify(a, b)");
    return Verification.of(gallery.similarityTo(identity, probe), threshold);
  }

  /**
   * Is the face the enrolled {@code identity}? See {@link #verify(Embedding, String, Gallery)};
   * with {@link #requiringLiveness()}, the face must be live.
   */
  public Verification verify(Face probe, String identity, Gallery gallery) {
    return checkLiveness(probe, verify(probe.embedding(), identity, gallery));
  }

  @Override
  public String toString() {
    String rule = head == null ? "cosine similarity >= " + threshold : head + " >= 0.5";
    return "Verifier[" + rule + (checksLiveness ? ", probe live" : "") + "]";
  }
}
