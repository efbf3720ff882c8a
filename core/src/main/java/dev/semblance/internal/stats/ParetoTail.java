package dev.semblance.internal.stats;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The upper tail of a score distribution above a threshold {@code u} as a generalised Pareto
 * distribution (peaks over threshold): {@code P(S ≥ t) = rate · (1 + ξ (t − u) / σ)^(−1/ξ)} for
 * {@code t ≥ u}, where {@code rate = P(S ≥ u)}. It reads rates far below one over the sample size,
 * where counting scores reads a handful of them; bootstrap replicates of the fit carry its
 * uncertainty.
 *
 * <p>Fitted by probability-weighted moments (Hosking and Wallis, 1987): closed-form, and steadier
 * than maximum likelihood on the few hundred exceedances a calibration has.
 *
 * <p>Thread safety: immutable.
 *
 * @param u the threshold the exceedances are measured from
 * @param rate the share of all scores at or above {@code u}
 * @param sigma the scale, positive
 * @param xi the shape: negative for a bounded tail, as similarity scores have
 */
public record ParetoTail(double u, double rate, double sigma, double xi) {
  /** Fewer exceedances than this give no usable fit. */
  public static final int MIN_EXCEEDANCES = 50;

  public ParetoTail {
    checkArgument(rate > 0 && rate <= 1, "tail rate must be in (0, 1]: %s", rate);
    checkArgument(sigma > 0 && Double.isFinite(sigma), "tail scale must be positive: %s", sigma);
    checkArgument(Double.isFinite(xi) && Double.isFinite(u), "tail shape and threshold are finite");
  }

  /**
   * Fits the tail to the {@code top} highest of {@code total} scores: {@code u} is the lowest of
   * them, the others are the exceedances.
   *
   * @throws IllegalArgumentException with fewer than {@link #MIN_EXCEEDANCES} scores, or when they
   *     are all equal
   */
  public static ParetoTail fit(double[] top, long total) {
    checkArgument(
        top.length > MIN_EXCEEDANCES, "a tail fit needs more than %s scores", MIN_EXCEEDANCES);
    double[] sorted = top.clone();
    Arrays.sort(sorted);
    double u = sorted[0];
    double[] excess = new double[sorted.length - 1];
    for (int i = 0; i < excess.length; i++) {
      excess[i] = sorted[i + 1] - u;
    }
    return fitExcesses(u, (double) top.length / total, excess);
  }

  /** The fit to exceedances {@code excess} (ascending) over {@code u}. */
  private static ParetoTail fitExcesses(double u, double rate, double[] excess) {
    int n = excess.length;
    double a0 = 0;
    double a1 = 0;
    for (int i = 0; i < n; i++) {
      double p = (i + 1 - 0.35) / n; // plotting position of the (i+1)-th smallest
      a0 += excess[i];
      a1 += (1 - p) * excess[i];
    }
    a0 /= n;
    a1 /= n;
    checkArgument(a0 > 2 * a1 && a1 > 0, "the exceedances are degenerate: they are all equal");
    double k = a0 / (a0 - 2 * a1) - 2; // Hosking's shape, k = −ξ
    double sigma = 2 * a0 * a1 / (a0 - 2 * a1);
    return new ParetoTail(u, rate, sigma, -k);
  }

  /**
   * {@code count} refits to exceedances resampled with replacement from those of {@code top}: the
   * spread of their answers is the fit's uncertainty.
   */
  public static ParetoTail[] bootstrap(double[] top, long total, int count, long seed) {
    ParetoTail fit = fit(top, total);
    double[] sorted = top.clone();
    Arrays.sort(sorted);
    int n = sorted.length - 1;
    SplittableRandom random = new SplittableRandom(seed);
    ParetoTail[] replicates = new ParetoTail[count];
    double[] excess = new double[n];
    for (int r = 0; r < count; r++) {
      for (int i = 0; i < n; i++) {
        excess[i] = sorted[1 + random.nextInt(n)] - fit.u;
      }
      Arrays.sort(excess);
      replicates[r] = fitExcesses(fit.u, fit.rate, excess);
    }
    return replicates;
  }

  /** {@code P(S ≥ t)}; {@code t} at or above {@code u}. */
  public double rateAt(double t) {
    double z = Math.max(0, t - u) / sigma;
    if (Math.abs(xi) < 1e-9) {
      return rate * Math.exp(-z);
    }
    double base = 1 + xi * z;
    return base <= 0 ? 0 : rate * Math.pow(base, -1 / xi);
  }

  /** The score {@code t ≥ u} with {@code P(S ≥ t) = r}, for {@code 0 < r ≤ rate}. */
  public double thresholdFor(double r) {
    checkArgument(r > 0 && r <= rate * (1 + 1e-9), "rate %s is outside the tail (0, %s]", r, rate);
    double ratio = rate / r;
    if (Math.abs(xi) < 1e-9) {
      return u + sigma * Math.log(ratio);
    }
    return u + sigma / xi * (Math.pow(ratio, xi) - 1);
  }
}
