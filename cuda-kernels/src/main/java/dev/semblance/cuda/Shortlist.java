package dev.semblance.cuda;

import dev.semblance.spi.AcceleratedIndex.Candidates;
import java.util.Arrays;

/**
 * What a search on the tensor cores keeps of one query's rows. Its scores round the query and the
 * rows to half precision, so a score may be off the exact inner product by up to ε. Let A be the
 * c-th best approximate score over all rows: c rows score at least A − ε exactly, so the exact c-th
 * best is at least A − ε, and every row of the exact top c scores at least A − 2ε approximately.
 * Keeping every row at or above A − 2ε thus keeps the exact top c however the rounding fell, and
 * how many more it keeps depends on how crowded the scores are near the top, not on a fixed width.
 * The c-th best of any subset of the rows (a sample) is at most A, so it gives a floor that is safe
 * to filter on before A is known.
 *
 * <p>Thread safety: stateless.
 */
final class Shortlist {
  private Shortlist() {}

  /**
   * ε for one query: how far a tensor-core score of it may be off the exact inner product with a
   * unit row. With h(·) the half rounding, |q·x − h(q)·h(x)| ≤ ‖q‖ ‖x − h(x)‖ + ‖q − h(q)‖ ‖h(x)‖;
   * the products of halves are exact in float32, and their sum is allowed twice the float rounding
   * of the CPU's, as tensor cores need not round to nearest when they add.
   *
   * @param rowHalfError the largest ‖x − h(x)‖ of any row
   */
  static float epsilon(int dimension, double queryNorm, double queryHalfError, float rowHalfError) {
    double accumulation = queryNorm * (dimension * 0x1p-22 + 0x1p-20);
    return (float)
        ((queryNorm * rowHalfError + queryHalfError * (1 + rowHalfError) + accumulation) * 1.0001);
  }

  /**
   * Room for the host's own rounding when it re-scores the list and checks it against the bound:
   * the gallery allows itself {@code d · 2⁻²² + 2⁻²²}.
   */
  static float margin(int dimension) {
    return dimension * 0x1p-21f + 0x1p-21f;
  }

  /**
   * The score below which no row of the exact top c can fall approximately, from the c-th best
   * approximate score of a subset of the rows ({@code -Infinity} when the subset has fewer).
   */
  static float floor(float cthBestOfSubset, float epsilon, int dimension) {
    return cthBestOfSubset - 2 * epsilon - margin(dimension);
  }

  /**
   * The rows of one query that may be among its exact top c, best first: of the {@code count}
   * collected (every row at or above {@code floor}), those at or above the {@link #floor} that
   * their own c-th best gives.
   *
   * @param reportedError the error the caller adds to {@link Candidates#excludedBound()} when it
   *     checks a list ({@code AcceleratedIndex.errorBound()}); the bound is shifted by the
   *     difference, so that bound plus reported error still caps every row left out
   */
  static Candidates keep(
      float[] scores,
      int[] rows,
      int count,
      int c,
      float floor,
      float epsilon,
      int dimension,
      float reportedError) {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int byScore = Float.compare(scores[b], scores[a]);
          return byScore != 0 ? byScore : Integer.compare(rows[a], rows[b]);
        });
    int kept = count;
    float cut = floor;
    if (count > c) {
      cut = Math.max(floor, floor(scores[order[c - 1]], epsilon, dimension));
      kept = c;
      while (kept < count && scores[order[kept]] >= cut) {
        kept++;
      }
    }
    // Every row left out scores below the cut approximately, so below cut + ε exactly.
    return listed(scores, rows, order, kept, cut + epsilon - reportedError);
  }

  private static Candidates listed(
      float[] scores, int[] rows, Integer[] order, int kept, float excludedBound) {
    int[] keptRows = new int[kept];
    float[] keptScores = new float[kept];
    for (int i = 0; i < kept; i++) {
      keptRows[i] = rows[order[i]];
      keptScores[i] = scores[order[i]];
    }
    return new Candidates(keptRows, keptScores, excludedBound);
  }
}
