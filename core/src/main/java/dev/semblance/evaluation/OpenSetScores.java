package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.Floats;
import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Open-set identification results in the terms of NIST FRVT 1:N. A <em>mated</em> search is a probe
 * of someone enrolled: its outcome is the rank of the enrolled mate among the candidates and the
 * mate's similarity. A <em>non-mated</em> search is a probe of someone not enrolled: its outcome is
 * the best similarity any enrolled identity reached.
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

  /** One search of the protocol: who the probe really is, and its embedding. */
  public record Probe(String identity, Optional<Embedding> embedding) {
    public Probe {
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(embedding, "embedding");
    }

    /** A probe image in which no face was found. */
    public static Probe noFace(String identity) {
      return new Probe(identity, Optional.empty());
    }

    public static Probe of(String identity, Embedding embedding) {
      return new Probe(identity, Optional.of(embedding));
    }
  }

  /**
   * Runs the open-set protocol: every probe is searched in {@code gallery}; a probe whose identity
   * is enrolled is a mated search (its mate's rank among the first {@code maxRank} candidates, and
   * its mate's similarity), any other a non-mated one (its best similarity). A probe without a face
   * finds nobody: a miss if mated, a correct rejection if not, as a deployed system would answer.
   *
   * <pre>{@code
   * OpenSetScores scores = OpenSetScores.search(gallery, probes, 10);
   * double rankOne = scores.cmc(1)[0];
   * TarAtFar dir = scores.dirAtFpir(0.01);
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code maxRank < 1} or a probe's dimension differs from the
   *     gallery's
   */
  public static OpenSetScores search(Gallery gallery, List<Probe> probes, int maxRank) {
    checkArgument(maxRank > 0, "maxRank must be positive: %s", maxRank);
    List<Embedding> searched = new ArrayList<>();
    for (Probe p : probes) {
      p.embedding().ifPresent(searched::add);
    }
    Iterator<Identification> answers = gallery.identifyAll(searched, maxRank).iterator();
    List<Integer> ranks = new ArrayList<>();
    List<Float> mateScores = new ArrayList<>();
    List<Float> nonMated = new ArrayList<>();
    for (Probe p : probes) {
      boolean mated = gallery.contains(p.identity());
      if (p.embedding().isEmpty()) {
        if (mated) {
          ranks.add(Integer.MAX_VALUE);
          mateScores.add(-1f);
        } else {
          nonMated.add(-1f);
        }
        continue;
      }
      List<Candidate> candidates = answers.next().candidates();
      if (mated) {
        int rank = Integer.MAX_VALUE;
        for (int r = 0; r < candidates.size(); r++) {
          if (candidates.get(r).identity().equals(p.identity())) {
            rank = r + 1;
            break;
          }
        }
        ranks.add(rank);
        mateScores.add(gallery.similarityTo(p.identity(), p.embedding().get()));
      } else {
        nonMated.add(candidates.isEmpty() ? -1f : candidates.get(0).similarity());
      }
    }
    return of(
        ranks.stream().mapToInt(Integer::intValue).toArray(),
        Floats.toArray(mateScores),
        Floats.toArray(nonMated));
  }

  /**
   * @param mateRank for each mated search, the 1-based rank of the mate ({@link Integer#MAX_VALUE}
   *     if it was not among the candidates)
   * @param mateScore for each mated search, the mate's similarity
   * @param nonMatedBest for each non-mated search, the best similarity of any enrolled identity
   * @throws IllegalArgumentException on NaN, ranks below 1, or mismatched lengths
   */
  public static OpenSetScores of(int[] mateRank, float[] mateScore, float[] nonMatedBest) {
    checkArgument(
        mateRank.length == mateScore.length,
        "%s mate ranks but %s mate scores",
        mateRank.length,
        mateScore.length);
    for (int i = 0; i < mateRank.length; i++) {
      checkArgument(mateRank[i] >= 1, "rank must be at least 1: %s", mateRank[i]);
      checkArgument(
          Float.isFinite(mateScore[i]),
          "mate score %s is not a number: %s",
          i,
          (Object) mateScore[i]);
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
      rates[k - 1] =
          (double) Arrays.stream(mateRank).filter(r -> r <= rank).count() / mateRank.length;
    }
    return rates;
  }

  /**
   * FNIR at the most lenient threshold whose FPIR does not exceed {@code targetFpir}, with the same
   * support rule as {@link Scores#tarAtFar}: at least {@code 1 / targetFpir} non-mated searches.
   * The {@link TarAtFar#tar() tar} of the result is the DIR (1 − FNIR), its {@code far} the FPIR
   * observed.
   */
  public TarAtFar dirAtFpir(double targetFpir) {
    checkArgument(
        targetFpir > 0 && targetFpir < 1, "target FPIR must be in (0, 1): %s", targetFpir);
    checkArgument(nonMated.impostorCount() > 0, "no non-mated searches");
    float threshold = nonMated.thresholdForFar(targetFpir);
    double dir = 1 - fnir(threshold);
    double[] ci = Scores.wilson(dir, mateRank.length);
    return new TarAtFar(
        targetFpir,
        threshold,
        fpir(threshold),
        dir,
        ci[0],
        ci[1],
        nonMated.impostorCount(),
        mateRank.length,
        targetFpir * nonMated.impostorCount() >= 1);
  }
}
