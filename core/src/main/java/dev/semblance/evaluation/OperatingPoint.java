package dev.semblance.evaluation;

/**
 * A threshold and the error rates it gives.
 *
 * @param threshold similarity threshold; accept when {@code score >= threshold}
 * @param far false accept rate there
 * @param tar true accept rate there (1 − FRR); for an equal error rate, {@code far == 1 − tar}
 *     <p><b>Thread safety.</b> Immutable.
 */
public record OperatingPoint(double threshold, double far, double tar) {
  public double frr() {
    return 1 - tar;
  }
}
