package dev.semblance;

/**
 * The answer to "is this the same person?".
 *
 * @param similarity cosine similarity of the two embeddings, in [-1, 1]; higher is more alike
 * @param distance Euclidean distance of the unit embeddings, {@code sqrt(2 − 2·similarity)}
 * @param threshold the similarity threshold used
 * @param match whether {@code similarity >= threshold}
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public record Verification(float similarity, float distance, float threshold, boolean match) {

  static Verification of(float similarity, float threshold) {
    return new Verification(
        similarity, Embedding.distanceForSimilarity(similarity), threshold, similarity >= threshold);
  }
}
