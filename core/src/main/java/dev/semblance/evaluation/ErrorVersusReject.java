package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The error-versus-reject curve of a quality measure (ISO/IEC 29794-1): the false non-match rate of
 * the genuine comparisons left after the lowest-quality share of images is rejected, for a rising
 * share. A useful measure makes the curve fall fast; random rejection leaves it flat. Images of
 * equal quality are ordered at random, and several random orders are averaged.
 *
 * @param rejected the shares of images rejected, ascending, from 0
 * @param fnmr the false non-match rate among the comparisons kept at each share
 * @param falseNonMatches the mean number of false non-matches kept at each share
 * @param area the area under the curve divided by the largest share: the mean FNMR over the range
 *     (lower is better)
 *     <p><b>Thread safety.</b> Immutable once made; the arrays are copies.
 */
public record ErrorVersusReject(
    double[] rejected, double[] fnmr, double[] falseNonMatches, double area) {

  public ErrorVersusReject {
    rejected = rejected.clone();
    fnmr = fnmr.clone();
    falseNonMatches = falseNonMatches.clone();
  }

  /**
   * Measures the curve.
   *
   * @param quality each image's quality, higher is better
   * @param genuine pairs of image indices of the same person
   * @param similarity each pair's similarity
   * @param threshold a pair below it is a false non-match
   * @param rejected the shares of images to reject, ascending, the first 0
   * @param random orders the images of equal quality
   * @param repeats how many random orders are averaged
   * @throws IllegalArgumentException if the sizes do not agree or the shares are not ascending from
   *     0 within [0, 1)
   */
  public static ErrorVersusReject of(
      double[] quality,
      List<int[]> genuine,
      float[] similarity,
      float threshold,
      double[] rejected,
      Random random,
      int repeats) {
    checkArgument(genuine.size() == similarity.length, "one similarity per genuine pair");
    checkArgument(rejected.length >= 2 && rejected[0] == 0, "the shares start at 0");
    for (int x = 1; x < rejected.length; x++) {
      checkArgument(
          rejected[x] > rejected[x - 1] && rejected[x] < 1, "shares must ascend within [0, 1)");
    }
    checkArgument(repeats > 0, "repeats must be positive: %s", repeats);
    int images = quality.length;
    double[] fnmr = new double[rejected.length];
    double[] falseNonMatches = new double[rejected.length];
    for (int r = 0; r < repeats; r++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < images; i++) {
        order.add(i);
      }
      Collections.shuffle(order, random);
      order.sort((a, b) -> Double.compare(quality[a], quality[b])); // stable: shuffled ties
      int[] rank = new int[images];
      for (int i = 0; i < images; i++) {
        rank[order.get(i)] = i;
      }
      for (int x = 0; x < rejected.length; x++) {
        int cut = (int) Math.round(rejected[x] * images);
        int kept = 0, errors = 0;
        for (int g = 0; g < genuine.size(); g++) {
          if (rank[genuine.get(g)[0]] >= cut && rank[genuine.get(g)[1]] >= cut) {
            kept++;
            if (similarity[g] < threshold) {
              errors++;
            }
          }
        }
        fnmr[x] += kept == 0 ? 0 : errors / (double) kept / repeats;
        falseNonMatches[x] += errors / (double) repeats;
      }
    }
    double area = 0;
    for (int x = 1; x < rejected.length; x++) {
      area += (fnmr[x] + fnmr[x - 1]) / 2 * (rejected[x] - rejected[x - 1]);
    }
    return new ErrorVersusReject(
        rejected, fnmr, falseNonMatches, area / rejected[rejected.length - 1]);
  }

  /**
   * The share of the false non-matches without rejection that rejecting {@code share} of the images
   * removes; 0 when there were none.
   *
   * @throws IllegalArgumentException if {@code share} is not one of {@link #rejected()}
   */
  public double removedAt(double share) {
    int x = Arrays.binarySearch(rejected, share);
    checkArgument(x >= 0, "%s is not a share of this curve", share);
    return falseNonMatches[0] == 0 ? 0 : 1 - falseNonMatches[x] / falseNonMatches[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ErrorVersusReject c
        && Arrays.equals(rejected, c.rejected)
        && Arrays.equals(fnmr, c.fnmr)
        && Arrays.equals(falseNonMatches, c.falseNonMatches)
        && area == c.area;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(fnmr) * 31 + Double.hashCode(area);
  }

  @Override
  public String toString() {
    return "ErrorVersusReject[fnmr " + Arrays.toString(fnmr) + ", area " + area + "]";
  }
}
