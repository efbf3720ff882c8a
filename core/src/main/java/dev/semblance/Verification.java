package dev.semblance;

/**
 * The answer to "is this the same person?".
 *
 * @param similarity cosine similarity of the two embeddings, in [-1, 1]; higher is more alike
 * @param distance Euclidean distance of the unit embeddings, {@code sqrt(2 − 2·similarity)}
 * @param threshold the threshold used: on the similarity, or on the probability when there is one
 * @param match whether the score reached the threshold
 * @param probability the logistic head's probability of "same person", or NaN when the decision was
 *     made on the cosine similarity
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Verification(
    float similarity, float distance, float threshold, boolean match, double probability) {

  static Verification of(float similarity, float threshold) {
    return new Verification(
        similarity,
        Embedding.distanceForSimilarity(similarity),
        threshold,
        similarity >= threshold,
        Double.NaN);
  }
}
