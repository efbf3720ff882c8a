package dev.semblance;

/**
 * One enrolled identity as a possible match for a probe.
 *
 * @param identity the enrolled name
 * @param similarity cosine similarity between the probe and the identity's closest template, in
 *     [-1, 1]; higher is more alike
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Candidate(String identity, float similarity) {

  /** Euclidean distance between the unit embeddings, {@code sqrt(2 − 2·similarity)}. */
  public float distance() {
    return Embedding.distanceForSimilarity(similarity);
  }
}
