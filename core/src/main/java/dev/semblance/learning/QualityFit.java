package dev.semblance.learning;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;

/**
 * Fits an overall quality score on genuine comparisons: a logistic regression of "this comparison
 * is poor" (its similarity among the lowest share of genuine comparisons) whose logit is a constant
 * plus one linear term per image of the pair, {@code b + w·x_i + w·x_j}, with a light ridge on
 * {@code w} since features correlate. An image's score is then the probability that its comparison
 * with an image of equal quality is not poor, {@code σ(−b − 2 w·x_i)}, folded back to raw feature
 * units: {@code σ(intercept + weights · x)}. Solved by Newton's method; deterministic.
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class QualityFit {
  private QualityFit() {}

  /**
   * A fitted score {@code σ(intercept + weights · features)}.
   *
   * <p>Thread safety: immutable; the weights are copies.
   */
  public record Model(double intercept, double[] weights) {
    public Model {
      weights = weights.clone();
    }

    @Override
    public double[] weights() {
      return weights.clone();
    }

    /** The score of one image's features, in (0, 1). */
    public double score(double[] features) {
      checkArgument(features.length == weights.length, "expected %s features", weights.length);
      double z = intercept;
      for (int k = 0; k < features.length; k++) {
        z += weights[k] * features[k];
      }
      return 1 / (1 + Math.exp(-z));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Model m && intercept == m.intercept && Arrays.equals(weights, m.weights);
    }

    @Override
    public int hashCode() {
      return Double.hashCode(intercept) * 31 + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
      return "Model[intercept " + intercept + ", weights " + Arrays.toString(weights) + "]";
    }
  }

  /**
   * Fits the score.
   *
   * @param features each image's features (equal lengths); a feature left out is all zeros
   * @param genuine pairs of image indices of the same person
   * @param similarity each pair's similarity
   * @param poorShare the share of genuine comparisons called poor, e.g. 0.1
   * @param poorAtLeast comparisons below this similarity are poor whatever the share says (the
   *     verification threshold)
   * @param ridge the L2 penalty on the standardised weights
   * @throws IllegalArgumentException if the sizes do not agree or there are no pairs
   */
  public static Model fit(
      double[][] features,
      List<int[]> genuine,
      double[] similarity,
      double poorShare,
      double poorAtLeast,
      double ridge) {
    checkArgument(
        !genuine.isEmpty() && genuine.size() == similarity.length, "one similarity a pair");
    checkArgument(poorShare > 0 && poorShare < 1, "poor share must be in (0, 1): %s", poorShare);
    int d = features[0].length;
    double[] mean = new double[d], sd = new double[d];
    for (double[] row : features) {
      checkArgument(row.length == d, "every image needs %s features", d);
      for (int k = 0; k < d; k++) {
        mean[k] += row[k] / features.length;
      }
    }
    for (double[] row : features) {
      for (int k = 0; k < d; k++) {
        sd[k] += (row[k] - mean[k]) * (row[k] - mean[k]) / features.length;
      }
    }
    for (int k = 0; k < d; k++) {
      sd[k] = Math.max(1e-9, Math.sqrt(sd[k]));
    }
    double[] sorted = similarity.clone();
    Arrays.sort(sorted);
    double poor = Math.max(poorAtLeast, sorted[(int) (poorShare * sorted.length)]);
    // Pair features: the two images' standardised features summed; column d is the constant.
    double[][] z = new double[similarity.length][d + 1];
    int[] y = new int[similarity.length];
    for (int g = 0; g < similarity.length; g++) {
      for (int k = 0; k < d; k++) {
        z[g][k] =
            (features[genuine.get(g)[0]][k] - mean[k]) / sd[k]
                + (features[genuine.get(g)[1]][k] - mean[k]) / sd[k];
      }
      z[g][d] = 1;
      y[g] = similarity[g] < poor ? 1 : 0;
    }
    double[] w = newton(z, y, ridge);
    // Image score σ(−b − 2 w·x_i), folded back to raw features.
    double intercept = -w[d];
    double[] weights = new double[d];
    for (int k = 0; k < d; k++) {
      weights[k] = -2 * w[k] / sd[k];
      intercept += 2 * w[k] * mean[k] / sd[k];
    }
    return new Model(intercept, weights);
  }

  /**
   * The ridge-penalised logistic regression of {@code y} on {@code z} (last column the constant,
   * not penalised), by Newton's method to a step below 1e-10 or 50 iterations.
   */
  static double[] newton(double[][] z, int[] y, double ridge) {
    int d = z[0].length - 1;
    double[] w = new double[d + 1];
    for (int iteration = 0; iteration < 50; iteration++) {
      double[][] h = new double[d + 1][d + 2]; // the Hessian, augmented with the gradient
      for (int g = 0; g < z.length; g++) {
        double t = 0;
        for (int k = 0; k <= d; k++) {
          t += w[k] * z[g][k];
        }
        double p = 1 / (1 + Math.exp(-t));
        for (int a = 0; a <= d; a++) {
          h[a][d + 1] += (y[g] - p) * z[g][a];
          for (int b = 0; b <= d; b++) {
            h[a][b] += p * (1 - p) * z[g][a] * z[g][b];
          }
        }
      }
      for (int a = 0; a < d; a++) {
        h[a][a] += ridge;
        h[a][d + 1] -= ridge * w[a];
      }
      double[] step = solve(h);
      double size = 0;
      for (int k = 0; k <= d; k++) {
        w[k] += step[k];
        size += Math.abs(step[k]);
      }
      if (size < 1e-10) {
        break;
      }
    }
    return w;
  }

  /**
   * Solves the augmented system {@code a = [A | b]} (d × (d + 1)) by Gauss–Jordan elimination with
   * partial pivoting; {@code a} is overwritten.
   */
  static double[] solve(double[][] a) {
    int d = a.length;
    for (int c = 0; c < d; c++) {
      int pivot = c;
      for (int r = c + 1; r < d; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = a[c];
      a[c] = a[pivot];
      a[pivot] = t;
      for (int r = 0; r < d; r++) {
        if (r != c) {
          double f = a[r][c] / a[c][c];
          for (int k = c; k <= d; k++) {
            a[r][k] -= f * a[c][k];
          }
        }
      }
    }
    double[] x = new double[d];
    for (int i = 0; i < d; i++) {
      x[i] = a[i][d] / a[i][i];
    }
    return x;
  }
}
