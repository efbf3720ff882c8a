package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * Open-set identification results in the terms of NIST FRVT 1:N. A <em>mated</em> search is a
 * probe of someone enrolled: its outcome is the rank of the enrolled mate among the candidates
 * and the mate's similarity. A <em>non-mated</em> search is a probe of someone not enrolled: its
 * outcome is the best similarity any enrolled identity reached.
 *
 * <ul>
 *   <li>FPIR(τ): fraction of non-mated searches whose best score is ≥ τ (someone is wrongly named).
 *   <li>FNIR(τ): fraction of mated searches whose mate is not first, or is first with score &lt; τ.
 *   <li>DIR(τ) = 1 − FNIR(τ): detection and identification rate.
 *   <li>CMC(k): fraction of mated searches whose mate is within the first k, no threshold.
 * </ul>
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class OpenSetScores {
  private final int[] mateRank; // 1-based; Integer.MAX_VALUE when beyond the candidates looked at
  private final float[] mateScore;
  private final Scores nonMated; // the non-mated best scores, as "impostors"

  private OpenSetScores(int[] mateRank, float[] mateScore, float[] nonMatedBest) {
    this.mateRank = mateRank;
    this.mateScore = mateScore;
    this.nonMated = Scores.of(new float[0], nonMatedBest);
  }

  /**
   * @param mateRank for each mated search, the 1-based rank of the mate ({@link
   *     Integer#MAX_VALUE} if it was not among the candidates)
   * @param mateScore for each mated search, the mate's similarity
   * @param nonMatedBest for each non-mated search, the best similarity of any enrolled identity
   * @throws IllegalArgumentException on NaN, ranks below 1, or mismatched lengths
   */
  public static OpenSetScores of(int[] mateRank, float[] mateScore, float[] nonMatedBest) {
    checkArgument(mateRank.length == mateScore.length,
        "%s mate ranks but %s mate scores", mateRank.length, mateScore.length);
    for (int i = 0; i < mateRank.length; i++) {
      checkArgument(mateRank[i] >= 1, "rank must be at least 1: %s", mateRank[i]);
      checkArgument(Float.isFinite(mateScore[i]), "mate score %s is not a number: %s", i, (Object) mateScore[i]);
    }
    return new OpenSetScores(mateRank.clone(), mateScore.clone(), nonMatedBest);
  }

  public int matedCount() {
    return mateRank.length;
  }

  public int nonMatedCount() {
    return nonMated.impostorCount();
  }

  /** The best scores of the non-mated searches, ascending. */
  public float[] nonMatedBest() {
    return nonMated.impostor();
  }

  /** The mates' scores, in search order. */
  public float[] mateScores() {
    return mateScore.clone();
  }

  public double fpir(double threshold) {
    return nonMated.far(threshold);
  }

  public double fnir(double threshold) {
    checkArgument(mateRank.length > 0, "no mated searches");
    int misses = 0;
    for (int i = 0; i < mateRank.length; i++) {
      if (mateRank[i] != 1 || mateScore[i] < threshold) {
        misses++;
      }
    }
    return (double) misses / mateRank.length;
  }

  /** CMC: for k = 1..maxRank, the fraction of mated searches with the mate within the first k. */
  public double[] cmc(int maxRank) {
    checkArgument(maxRank >= 1, "maxRank must be positive: %s", maxRank);
    checkArgument(mateRank.length > 0, "no mated searches");
    double[] rates = new double[maxRank];
    for (int k = 1; k <= maxRank; k++) {
      final int rank = k;
      rates[k - 1] = (double) Arrays.stream(mateRank).filter(r -> r <= rank).count() / mateRank.length;
    }
    return rates;
  }

  /**
   * FNIR at the most lenient threshold whose FPIR does not exceed {@code targetFpir}, with the
   * same support rule as {@link Scores#tarAtFar}: at least {@code 1 / targetFpir} non-mated
   * searches. The {@link TarAtFar#tar() tar} of the result is the DIR (1 − FNIR), its {@code far}
   * the FPIR observed.
   */
  public TarAtFar dirAtFpir(double targetFpir) {
    checkArgument(targetFpir > 0 && targetFpir < 1, "target FPIR must be in (0, 1): %s", targetFpir);
    checkArgument(nonMated.impostorCount() > 0, "no non-mated searches");
    float threshold = nonMated.thresholdForFar(targetFpir);
    double dir = 1 - fnir(threshold);
    double[] ci = Scores.wilson(dir, mateRank.length);
    return new TarAtFar(targetFpir, threshold, fpir(threshold), dir, ci[0], ci[1],
        nonMated.impostorCount(), mateRank.length, targetFpir * nonMated.impostorCount() >= 1);
  }
}
