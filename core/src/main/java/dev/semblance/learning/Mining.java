package dev.semblance.learning;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How triplets are chosen from a batch of identity-labelled embeddings (distances are squared
 * Euclidean, as in the loss).
 *
 * <p><b>Thread safety.</b> Stateless; the {@link Random} passed in is the caller's.
 */
public enum Mining {
  /** Every (A, P, N) in the batch whose loss is positive (Hermans et al.). */
  BATCH_ALL,
  /** For each anchor, its farthest positive and its closest negative. */
  BATCH_HARD,
  /**
   * For each anchor–positive pair, a random negative with d(A,P) &lt; d(A,N) &lt; d(A,P) + α:
   * farther than the positive but still inside the margin (FaceNet). Pairs without one are skipped.
   */
  SEMI_HARD,
  /** For each anchor–positive pair, a random negative: mostly easy triplets, for comparison. */
  RANDOM;

  /**
   * The triplets of a batch.
   *
   * @param labels identity of each embedding
   * @param margin the loss's margin α
   */
  public List<Triplet> mine(float[][] embeddings, int[] labels, double margin, Random random) {
    checkArgument(
        embeddings.length == labels.length,
        "%s embeddings but %s labels",
        embeddings.length,
        labels.length);
    int n = embeddings.length;
    double[][] d = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[i][j] = d[j][i] = TripletLoss.squaredDistance(embeddings[i], embeddings[j]);
      }
    }
    List<Triplet> triplets = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      if (this == BATCH_HARD) {
        int hardestPositive = -1;
        int hardestNegative = -1;
        for (int j = 0; j < n; j++) {
          if (j == a) {
            continue;
          }
          if (labels[j] == labels[a]) {
            if (hardestPositive < 0 || d[a][j] > d[a][hardestPositive]) {
              hardestPositive = j;
            }
          } else if (hardestNegative < 0 || d[a][j] < d[a][hardestNegative]) {
            hardestNegative = j;
          }
        }
        if (hardestPositive >= 0 && hardestNegative >= 0) {
          triplets.add(new Triplet(a, hardestPositive, hardestNegative));
        }
        continue;
      }
      for (int p = 0; p < n; p++) {
        if (p == a || labels[p] != labels[a]) {
          continue;
        }
        List<Integer> candidates = new ArrayList<>();
        for (int q = 0; q < n; q++) {
          if (labels[q] == labels[a]) {
            continue;
          }
          boolean take =
              switch (this) {
                case BATCH_ALL -> d[a][p] - d[a][q] + margin > 0;
                case SEMI_HARD -> d[a][q] > d[a][p] && d[a][q] < d[a][p] + margin;
                default -> true; // RANDOM
              };
          if (take) {
            candidates.add(q);
          }
        }
        if (this == BATCH_ALL) {
          for (int q : candidates) {
            triplets.add(new Triplet(a, p, q));
          }
        } else if (!candidates.isEmpty()) {
          triplets.add(new Triplet(a, p, candidates.get(random.nextInt(candidates.size()))));
        }
      }
    }
    return triplets;
  }
}
