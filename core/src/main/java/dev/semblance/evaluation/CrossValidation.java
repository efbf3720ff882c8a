package dev.semblance.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * The LFW protocol: for each of k folds, the threshold of best accuracy is chosen on the other
 * folds and applied to this one; the result is the mean accuracy over folds and its spread.
 *
 * @param accuracies accuracy of each fold at the threshold chosen without it
 * @param thresholds those thresholds
 *     <p><b>Thread safety.</b> Immutable apart from the arrays, which are copies.
 */
public record CrossValidation(double[] accuracies, double[] thresholds) {

  /**
   * @param scores one similarity per pair
   * @param same whether each pair is the same person
   * @param fold each pair's fold, 0 ≤ fold &lt; folds
   */
  public static CrossValidation run(float[] scores, boolean[] same, int[] fold, int folds) {
    checkArgument(
        scores.length == same.length && same.length == fold.length,
        "scores, labels and folds differ in length: %s, %s, %s",
        scores.length,
        same.length,
        fold.length);
    checkArgument(folds >= 2, "need at least two folds: %s", folds);
    double[] accuracies = new double[folds];
    double[] thresholds = new double[folds];
    for (int f = 0; f < folds; f++) {
      int inFold = 0;
      for (int k : fold) {
        checkArgument(k >= 0 && k < folds, "fold index out of range: %s", k);
        inFold += k == f ? 1 : 0;
      }
      checkArgument(
          inFold > 0 && inFold < scores.length, "fold %s is empty or holds everything", f);
      float[] trainScores = new float[scores.length - inFold];
      boolean[] trainSame = new boolean[trainScores.length];
      float[] testScores = new float[inFold];
      boolean[] testSame = new boolean[inFold];
      int tr = 0;
      int te = 0;
      for (int i = 0; i < scores.length; i++) {
        if (fold[i] == f) {
          testScores[te] = scores[i];
          testSame[te++] = same[i];
        } else {
          trainScores[tr] = scores[i];
          trainSame[tr++] = same[i];
        }
      }
      thresholds[f] = Scores.of(trainScores, trainSame).bestAccuracy().threshold();
      accuracies[f] = Scores.of(testScores, testSame).accuracy(thresholds[f]);
    }
    return new CrossValidation(accuracies, thresholds);
  }

  /** Deals pairs into {@code folds} folds, same-person and different-person pairs evenly. */
  public static int[] stratifiedFolds(boolean[] same, int folds) {
    int[] fold = new int[same.length];
    int g = 0;
    int i = 0;
    for (int k = 0; k < same.length; k++) {
      fold[k] = same[k] ? (g++ % folds) : (i++ % folds);
    }
    return fold;
  }

  public CrossValidation {
    accuracies = accuracies.clone();
    thresholds = thresholds.clone();
  }

  public double mean() {
    return Arrays.stream(accuracies).average().orElse(Double.NaN);
  }

  /** Sample standard deviation of the fold accuracies. */
  public double standardDeviation() {
    double m = mean();
    double ss = Arrays.stream(accuracies).map(a -> (a - m) * (a - m)).sum();
    return Math.sqrt(ss / (accuracies.length - 1));
  }

  /** Standard error of the mean: the standard deviation over the square root of the folds. */
  public double standardError() {
    return standardDeviation() / Math.sqrt(accuracies.length);
  }
}
