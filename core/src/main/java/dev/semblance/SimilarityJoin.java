package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.vector.Kernels;
import dev.semblance.internal.vector.VectorKernels;
import java.util.ArrayList;
import java.util.List;

/**
 * Every pair of embeddings whose cosine similarity reaches a threshold: the basis of duplicate
 * detection and clustering. Scores are computed block by block with the gallery's blocked SIMD
 * kernel, so the full N × M matrix is never held; only the pairs above the threshold are kept.
 *
 * <pre>{@code
 * List<SimilarityJoin.Pair> same = SimilarityJoin.within(faces, 0.5f); // i < j
 * }</pre>
 *
 * <p><b>Thread safety.</b> Stateless; safe for concurrent use.
 */
public final class SimilarityJoin {
  /** Rows of one side scored against a block of the other while they are in cache. */
  private static final int BLOCK = 64;

  private SimilarityJoin() {}

  /** A pair: indices into the left and right lists, and their similarity. */
  public record Pair(int left, int right, float similarity) {}

  /**
   * Pairs (i, j) of {@code all} with i &lt; j and similarity ≥ {@code threshold}, ordered by i,
   * then j.
   *
   * @throws IllegalArgumentException if dimensions differ or the threshold is not in [-1, 1]
   */
  public static List<Pair> within(List<Embedding> all, float threshold) {
    return join(all, all, threshold, true);
  }

  /**
   * Pairs (i, j) of {@code left} × {@code right} with similarity ≥ {@code threshold}, ordered by i,
   * then j.
   *
   * @throws IllegalArgumentException if dimensions differ or the threshold is not in [-1, 1]
   */
  public static List<Pair> between(List<Embedding> left, List<Embedding> right, float threshold) {
    return join(left, right, threshold, false);
  }

  private static List<Pair> join(
      List<Embedding> left, List<Embedding> right, float threshold, boolean upperTriangle) {
    checkArgument(
        threshold >= -1f && threshold <= 1f,
        "similarity threshold must be in [-1, 1]: %s",
        threshold);
    List<Pair> pairs = new ArrayList<>();
    if (left.isEmpty() || right.isEmpty()) {
      return pairs;
    }
    int n = left.get(0).dimension();
    float[] a = flatten(left, n);
    float[] b = flatten(right, n);
    VectorKernels kernels = Kernels.get();
    float[] queries = new float[BLOCK * n];
    float[] scores = new float[BLOCK * BLOCK];
    for (int i0 = 0; i0 < left.size(); i0 += BLOCK) {
      int qCount = Math.min(BLOCK, left.size() - i0);
      System.arraycopy(a, i0 * n, queries, 0, qCount * n);
      for (int j0 = upperTriangle ? i0 : 0; j0 < right.size(); j0 += BLOCK) {
        int rCount = Math.min(BLOCK, right.size() - j0);
        kernels.dotBlock(queries, qCount, b, j0 * n, rCount, n, scores);
        for (int q = 0; q < qCount; q++) {
          for (int r = upperTriangle && j0 == i0 ? q + 1 : 0; r < rCount; r++) {
            float s = Math.max(-1f, Math.min(1f, scores[q * rCount + r]));
            if (s >= threshold) {
              pairs.add(new Pair(i0 + q, j0 + r, s));
            }
          }
        }
      }
    }
    pairs.sort(
        (x, y) ->
            x.left() != y.left()
                ? Integer.compare(x.left(), y.left())
                : Integer.compare(x.right(), y.right()));
    return pairs;
  }

  private static float[] flatten(List<Embedding> embeddings, int n) {
    float[] flat = new float[embeddings.size() * n];
    for (int i = 0; i < embeddings.size(); i++) {
      Embedding e = embeddings.get(i);
      checkArgument(
          e.dimension() == n, "embedding %s has dimension %s, not %s", i, e.dimension(), n);
      e.copyTo(flat, i * n);
    }
    return flat;
  }
}
