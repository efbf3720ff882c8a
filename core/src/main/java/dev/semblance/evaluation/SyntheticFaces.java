package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Embedding;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Synthetic identities for galleries past the size of real data: unit vectors drawn from a Gaussian
 * with the mean and covariance of real embeddings, so that a synthetic identity lies among real
 * faces, not in the empty directions of the embedding space where random vectors would.
 *
 * <p>Chosen on LFW DevTrain (fit on half its people, checked with the other half; see {@code
 * docs/accuracy.md}) for one property that a scale test of an open-set threshold needs: a real
 * stranger finds synthetic identities as similar as synthetic identities find each other (best
 * similarity over 21k of them: 99th percentile 0.453 for held-out real faces, 0.461 among synthetic
 * ones), so a gallery's self-search sees the risk its strangers meet. Clustered mixtures look more
 * like faces but find each other far more alike than real strangers find them (0.551 against
 * 0.481), and mixtures of two real faces are near-copies of them. All of them are less risky than
 * real people (0.40 against 0.47 for the best of a thousand): figures made with them understate
 * what a gallery of real people meets.
 *
 * <p>Thread safety: immutable; {@link #sample} may be called from any thread.
 */
public final class SyntheticFaces {
  private final float[] mean;
  private final double[] cholesky; // lower triangle of the covariance's Cholesky factor, row-major
  private final int dimension;
  private static final int BLOCK = 4096;

  private SyntheticFaces(float[] mean, double[] cholesky) {
    this.mean = mean;
    this.cholesky = cholesky;
    this.dimension = mean.length;
  }

  /**
   * Fits the Gaussian to {@code faces}.
   *
   * @throws IllegalArgumentException with fewer faces than two or their dimension, or mixed
   *     dimensions
   */
  public static SyntheticFaces fit(List<Embedding> faces) {
    checkArgument(!faces.isEmpty(), "no faces to fit");
    int d = faces.get(0).dimension();
    checkArgument(
        faces.size() > d, "fitting %s-d faces needs more than %s of them: %s", d, d, faces.size());
    double[] mean = new double[d];
    float[][] rows = new float[faces.size()][];
    for (int i = 0; i < rows.length; i++) {
      checkArgument(faces.get(i).dimension() == d, "face %s is not %s-d", i, d);
      rows[i] = faces.get(i).toArray();
      for (int k = 0; k < d; k++) {
        mean[k] += rows[i][k];
      }
    }
    for (int k = 0; k < d; k++) {
      mean[k] /= rows.length;
    }
    double[] cov = new double[d * d];
    double[] centred = new double[d];
    for (float[] row : rows) {
      for (int k = 0; k < d; k++) {
        centred[k] = row[k] - mean[k];
      }
      for (int a = 0; a < d; a++) {
        double ca = centred[a];
        int base = a * d;
        for (int b = 0; b <= a; b++) {
          cov[base + b] += ca * centred[b];
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = 0; b <= a; b++) {
        cov[a * d + b] /= rows.length - 1;
      }
      cov[a * d + a] += 1e-6; // keeps the factorisation defined along directions no face spans
    }
    float[] m = new float[d];
    for (int k = 0; k < d; k++) {
      m[k] = (float) mean[k];
    }
    return new SyntheticFaces(m, choleskyLower(cov, d));
  }

  /** Cholesky factor L (L Lᵀ = A) of the symmetric positive definite A's lower triangle. */
  private static double[] choleskyLower(double[] a, int d) {
    double[] l = new double[d * d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i * d + j];
        for (int k = 0; k < j; k++) {
          sum -= l[i * d + k] * l[j * d + k];
        }
        if (i == j) {
          checkArgument(sum > 0, "the faces' covariance is not positive definite");
          l[i * d + i] = Math.sqrt(sum);
        } else {
          l[i * d + j] = sum / l[j * d + j];
        }
      }
    }
    return l;
  }

  public int dimension() {
    return dimension;
  }

  /**
   * {@code count} synthetic faces, unit vectors; the same seed gives the same ones, however many
   * threads draw them (blocks of {@value #BLOCK} in parallel, each from its own generator).
   */
  public float[][] sample(int count, long seed) {
    checkArgument(count >= 0, "count must not be negative: %s", count);
    float[][] out = new float[count][];
    IntStream.range(0, (count + BLOCK - 1) / BLOCK)
        .parallel()
        .forEach(
            block -> {
              SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + block);
              double[] z = new double[dimension];
              for (int n = block * BLOCK; n < Math.min(count, (block + 1) * BLOCK); n++) {
                for (int k = 0; k < dimension; k++) {
                  z[k] = gaussian(random);
                }
                out[n] = draw(z);
              }
            });
    return out;
  }

  /** mean + L z, normalised. */
  private float[] draw(double[] z) {
    float[] v = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      double x = mean[i];
      int base = i * dimension;
      for (int k = 0; k <= i; k++) {
        x += cholesky[base + k] * z[k];
      }
      v[i] = (float) x;
      norm += x * x;
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimension; i++) {
      v[i] *= scale;
    }
    return v;
  }

  private static double gaussian(SplittableRandom random) {
    // Box–Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
