package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An estimated rate with the interval that likely holds the true one (90% unless a method says
 * otherwise), e.g. the false positive identification rate a gallery expects at its threshold.
 *
 * <p>Thread safety: immutable.
 *
 * @param estimate the best estimate
 * @param low the lower end, at most {@code estimate}
 * @param high the upper end, at least {@code estimate}
 */
public record Interval(double estimate, double low, double high) {
  private static final double Z90 = 1.6448536269514722; // two-sided 90%

  public Interval {
    checkArgument(
        low <= estimate && estimate <= high, "interval [%s, %s] misses %s", low, high, estimate);
  }

  /**
   * The 90% Wilson score interval of a rate observed as {@code hits} of {@code trials}: honest near
   * 0, where the normal approximation gives a negative lower end.
   *
   * @throws IllegalArgumentException unless {@code 0 <= hits <= trials} and {@code trials > 0}
   */
  public static Interval wilson(long hits, long trials) {
    checkArgument(trials > 0 && hits >= 0 && hits <= trials, "%s of %s trials", hits, trials);
    double p = (double) hits / trials;
    double z2 = Z90 * Z90;
    double centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
    double half =
        Z90 / (1 + z2 / trials) * Math.sqrt(p * (1 - p) / trials + z2 / (4.0 * trials * trials));
    return new Interval(
        p, Math.max(0, Math.min(p, centre - half)), Math.min(1, Math.max(p, centre + half)));
  }

  /** Whether {@code rate} lies in the interval. */
  public boolean contains(double rate) {
    return low <= rate && rate <= high;
  }
}
