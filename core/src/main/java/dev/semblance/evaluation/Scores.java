package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.internal.vector.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled verification scores: cosine similarities of genuine (same person) and impostor
 * (different people) comparisons, and the error rates they imply. Higher scores mean "more alike";
 * a comparison is accepted when {@code score >= threshold}.
 *
 * <ul>
 *   <li>FAR (false accept rate, also FMR) at τ: the fraction of impostor scores ≥ τ.
 *   <li>FRR (false reject rate, also FNMR) at τ: the fraction of genuine scores &lt; τ; TAR = 1 −
 *       FRR.
 * </ul>
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class Scores implements Calibration.LabelledScores {
  private final float[] genuine; // ascending
  private final float[] impostor; // ascending

  private Scores(float[] genuine, float[] impostor) {
    this.genuine = genuine;
    this.impostor = impostor;
  }

  /**
   * @throws IllegalArgumentException if a score is NaN or infinite
   */
  public static Scores of(float[] genuine, float[] impostor) {
    return new Scores(checkedSorted(genuine, "genuine"), checkedSorted(impostor, "impostor"));
  }

  /** Splits {@code scores} by {@code same[i]} (true = genuine). */
  public static Scores of(float[] scores, boolean[] same) {
    checkArgument(
        scores.length == same.length, "%s scores but %s labels", scores.length, same.length);
    int g = 0;
    for (boolean s : same) {
      g += s ? 1 : 0;
    }
    float[] genuine = new float[g];
    float[] impostor = new float[scores.length - g];
    int gi = 0;
    int ii = 0;
    for (int i = 0; i < scores.length; i++) {
      if (same[i]) {
        genuine[gi++] = scores[i];
      } else {
        impostor[ii++] = scores[i];
      }
    }
    return of(genuine, impostor);
  }

  /**
   * Scores of every pair of labelled embeddings: pairs with the same identity are genuine, the rest
   * impostor. n embeddings give n(n − 1)/2 comparisons, enough impostors to measure low FARs.
   *
   * @throws IllegalArgumentException if the lists differ in length or the dimensions differ
   */
  public static Scores ofAllPairs(List<Embedding> embeddings, List<String> identities) {
    checkArgument(
        embeddings.size() == identities.size(),
        "%s embeddings but %s identities",
        embeddings.size(),
        identities.size());
    int n = embeddings.size();
    int dim = n == 0 ? 0 : embeddings.get(0).dimension();
    float[] matrix = new float[n * dim];
    for (int i = 0; i < n; i++) {
      checkArgument(
          embeddings.get(i).dimension() == dim,
          "embedding %s has dimension %s, not %s",
          i,
          embeddings.get(i).dimension(),
          dim);
      embeddings.get(i).copyTo(matrix, i * dim);
    }
    int genuineCount = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        genuineCount += identities.get(i).equals(identities.get(j)) ? 1 : 0;
      }
    }
    float[] genuine = new float[genuineCount];
    float[] impostor = new float[Math.toIntExact((long) n * (n - 1) / 2 - genuineCount)];
    int g = 0;
    int im = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        float s = Kernels.get().dot(matrix, i * dim, matrix, j * dim, dim);
        if (identities.get(i).equals(identities.get(j))) {
          genuine[g++] = s;
        } else {
          impostor[im++] = s;
        }
      }
    }
    return of(genuine, impostor);
  }

  private static float[] checkedSorted(float[] scores, String kind) {
    float[] copy = scores.clone();
    for (int i = 0; i < copy.length; i++) {
      checkArgument(
          Float.isFinite(copy[i]), "%s score %s is not a number: %s", kind, i, (Object) copy[i]);
    }
    Arrays.sort(copy);
    return copy;
  }

  @Override
  public int genuineCount() {
    return genuine.length;
  }

  @Override
  public int impostorCount() {
    return impostor.length;
  }

  /** The genuine scores, ascending (a copy). */
  public float[] genuine() {
    return genuine.clone();
  }

  /** The impostor scores, ascending (a copy). */
  public float[] impostor() {
    return impostor.clone();
  }

  /** Fraction of impostor scores at or above {@code threshold}; 0 without impostors. */
  @Override
  public double far(double threshold) {
    return impostor.length == 0 ? 0 : (double) countAtLeast(impostor, threshold) / impostor.length;
  }

  /** Fraction of genuine scores below {@code threshold}; 0 without genuine scores. */
  public double frr(double threshold) {
    return genuine.length == 0
        ? 0
        : 1.0 - (double) countAtLeast(genuine, threshold) / genuine.length;
  }

  @Override
  public double tar(double threshold) {
    return 1 - frr(threshold);
  }

  @Override
  public double[] highestImpostors(int count) {
    checkArgument(count >= 0, "count must not be negative: %s", count);
    int n = Math.min(count, impostor.length);
    double[] top = new double[n];
    for (int i = 0; i < n; i++) {
      top[i] = impostor[impostor.length - 1 - i];
    }
    return top;
  }

  /** Fraction of all comparisons decided correctly at {@code threshold}. */
  public double accuracy(double threshold) {
    int total = genuine.length + impostor.length;
    checkArgument(total > 0, "no scores");
    long correct =
        countAtLeast(genuine, threshold) + (impostor.length - countAtLeast(impostor, threshold));
    return (double) correct / total;
  }

  /**
   * The ROC curve: one point per distinct score used as threshold, from the strictest (FAR = TAR =
   * 0) to the most lenient (FAR = TAR = 1), FAR ascending.
   */
  public List<RocPoint> roc() {
    float[] all = distinctDescending();
    List<RocPoint> points = new ArrayList<>(all.length + 2);
    points.add(new RocPoint(Double.POSITIVE_INFINITY, 0, 0));
    for (float t : all) {
      points.add(new RocPoint(t, far(t), tar(t)));
    }
    if (points.get(points.size() - 1).far() < 1 || points.get(points.size() - 1).tar() < 1) {
      points.add(new RocPoint(Double.NEGATIVE_INFINITY, 1, 1));
    }
    return points;
  }

  /**
   * Area under the ROC curve: the probability that a random genuine score beats a random impostor
   * score, ties counting one half (the Mann–Whitney statistic).
   *
   * @throws IllegalArgumentException unless there are both genuine and impostor scores
   */
  public double auc() {
    requireBoth();
    // Merge the sorted lists: each genuine score beats the impostors below it, ties count half.
    double wins = 0;
    int below = 0;
    int upTo = 0;
    for (float g : genuine) {
      while (below < impostor.length && impostor[below] < g) {
        below++;
      }
      upTo = Math.max(upTo, below);
      while (upTo < impostor.length && impostor[upTo] == g) {
        upTo++;
      }
      wins += below + 0.5 * (upTo - below);
    }
    return wins / ((double) genuine.length * impostor.length);
  }

  /**
   * The equal error rate: where FAR and FRR cross, linearly interpolated between neighbouring
   * thresholds.
   *
   * @throws IllegalArgumentException unless there are both genuine and impostor scores
   */
  public OperatingPoint eer() {
    requireBoth();
    // Walk the distinct scores from strict to lenient; FAR − FRR rises from −1 to 1.
    double previousThreshold = Double.POSITIVE_INFINITY;
    double previousFar = 0;
    double previousFrr = 1;
    int gi = genuine.length - 1;
    int ii = impostor.length - 1;
    while (gi >= 0 || ii >= 0) {
      float t =
          Math.max(
              gi >= 0 ? genuine[gi] : Float.NEGATIVE_INFINITY,
              ii >= 0 ? impostor[ii] : Float.NEGATIVE_INFINITY);
      while (gi >= 0 && genuine[gi] == t) {
        gi--;
      }
      while (ii >= 0 && impostor[ii] == t) {
        ii--;
      }
      double far = (double) (impostor.length - 1 - ii) / impostor.length;
      double frr = (double) (gi + 1) / genuine.length;
      if (far - frr >= 0) {
        double da = previousFar - previousFrr;
        double db = far - frr;
        double f = da == db ? 0 : -da / (db - da);
        double rate = previousFar + f * (far - previousFar);
        double threshold =
            Double.isInfinite(previousThreshold)
                ? t
                : previousThreshold + f * (t - previousThreshold);
        return new OperatingPoint(threshold, rate, 1 - rate);
      }
      previousThreshold = t;
      previousFar = far;
      previousFrr = frr;
    }
    throw new IllegalStateException("FAR and FRR never cross"); // unreachable: FAR ends at 1
  }

  /**
   * Points of the ROC curve at {@code points} false accept rates spaced evenly in log scale from
   * one over the impostor count to 1: enough to draw it, however many scores there are.
   */
  public List<RocPoint> rocAtLogSpacedFar(int points) {
    requireBoth();
    checkArgument(points >= 2, "need at least two points: %s", points);
    List<RocPoint> curve = new ArrayList<>(points);
    double lowest = Math.log10(1.0 / impostor.length);
    for (int i = 0; i < points; i++) {
      double target = Math.pow(10, lowest - lowest * i / (points - 1));
      float t = thresholdForFar(Math.min(target, 1 - 1e-12));
      curve.add(new RocPoint(t, far(t), tar(t)));
    }
    return curve;
  }

  /**
   * The most lenient threshold whose FAR does not exceed {@code targetFar}, and the TAR there with
   * a 95% Wilson interval. With {@code n} impostor scores only FARs of {@code k / n} can be
   * observed; targets below {@code 1 / n} are reported as not {@link TarAtFar#supported()}.
   *
   * @throws IllegalArgumentException unless {@code 0 < targetFar < 1} and both kinds of scores
   *     exist
   */
  public TarAtFar tarAtFar(double targetFar) {
    checkArgument(targetFar > 0 && targetFar < 1, "target FAR must be in (0, 1): %s", targetFar);
    requireBoth();
    float threshold = thresholdForFar(targetFar);
    double tar = tar(threshold);
    double[] ci = wilson(tar, genuine.length);
    return new TarAtFar(
        targetFar,
        threshold,
        far(threshold),
        tar,
        ci[0],
        ci[1],
        impostor.length,
        genuine.length,
        targetFar * impostor.length >= 1);
  }

  /**
   * The most lenient threshold at which no more than {@code targetFar} of the impostor scores are
   * accepted.
   */
  @Override
  public float thresholdForFar(double targetFar) {
    checkArgument(impostor.length > 0, "no impostor scores");
    int allowed = (int) Math.floor(targetFar * impostor.length + 1e-9);
    if (allowed >= impostor.length) {
      return impostor[0];
    }
    // impostor[n - 1 - allowed] is the first impostor that must be rejected; go just above it.
    return Math.nextUp(impostor[impostor.length - 1 - allowed]);
  }

  /**
   * The threshold of best accuracy. Accuracy is flat between neighbouring scores, often over
   * several; the centre of the widest best interval is least sensitive to small score changes.
   */
  public OperatingPoint bestAccuracy() {
    float[] t = distinctDescending();
    checkArgument(t.length > 0, "no scores");
    // Candidate thresholds: midpoints between neighbouring distinct scores, and beyond both ends.
    double bestAccuracy = -1;
    double bestLow = 0;
    double bestHigh = 0;
    double runLow = Double.NaN;
    double[] bounds = new double[t.length + 1];
    for (int i = 0; i < t.length; i++) {
      bounds[i] = t[t.length - 1 - i]; // ascending
    }
    bounds[t.length] = t[0] + 1; // above every score
    double previous = t[t.length - 1] - 1; // below every score
    for (double upper : bounds) {
      double candidate = (previous + upper) / 2;
      double acc = accuracy(candidate);
      if (acc > bestAccuracy + 1e-12) {
        bestAccuracy = acc;
        runLow = previous;
        bestLow = previous;
        bestHigh = upper;
      } else if (Math.abs(acc - bestAccuracy) <= 1e-12) {
        if (Double.isNaN(runLow)) {
          runLow = previous;
        }
        if (upper - runLow > bestHigh - bestLow) {
          bestLow = runLow;
          bestHigh = upper;
        }
      } else {
        runLow = Double.NaN;
      }
      previous = upper;
    }
    double threshold = (bestLow + bestHigh) / 2;
    return new OperatingPoint(threshold, far(threshold), tar(threshold));
  }

  private float[] distinctDescending() {
    float[] all = new float[genuine.length + impostor.length];
    System.arraycopy(genuine, 0, all, 0, genuine.length);
    System.arraycopy(impostor, 0, all, genuine.length, impostor.length);
    Arrays.sort(all);
    int n = 0;
    float[] out = new float[all.length];
    for (int i = all.length - 1; i >= 0; i--) {
      if (n == 0 || all[i] != out[n - 1]) {
        out[n++] = all[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  private void requireBoth() {
    checkArgument(
        genuine.length > 0 && impostor.length > 0,
        "needs both genuine and impostor scores (have %s genuine, %s impostor)",
        genuine.length,
        impostor.length);
  }

  /** How many of the ascending {@code sorted} are at least {@code threshold}. */
  static int countAtLeast(float[] sorted, double threshold) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < threshold) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return sorted.length - lo;
  }

  /** 95% Wilson score interval for a proportion {@code p} observed over {@code n} trials. */
  static double[] wilson(double p, int n) {
    if (n == 0) {
      return new double[] {0, 1};
    }
    double z = 1.959963984540054;
    double z2n = z * z / n;
    double centre = (p + z2n / 2) / (1 + z2n);
    double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }
}
