package dev.semblance.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class CrossValidationTest {

  @Test
  void eachFoldIsJudgedWithAThresholdChosenWithoutIt() {
    // Separable except for one flipped pair in fold 0: only fold 0 can lose accuracy.
    float[] scores = new float[100];
    boolean[] same = new boolean[100];
    for (int i = 0; i < 100; i++) {
      same[i] = i % 2 == 0;
      scores[i] = same[i] ? 0.6f + i / 1000f : 0.2f + i / 1000f;
    }
    scores[0] = 0.1f; // a genuine pair scored like an impostor
    int[] fold = CrossValidation.stratifiedFolds(same, 10);
    CrossValidation cv = CrossValidation.run(scores, same, fold, 10);
    assertThat(cv.accuracies()).hasSize(10);
    assertThat(cv.accuracies()[fold[0]]).isEqualTo(0.9);
    assertThat(cv.mean()).isCloseTo(0.99, offset(1e-12));
    assertThat(cv.standardDeviation()).isCloseTo(Math.sqrt(0.009 / 9), offset(1e-12));
    assertThat(cv.standardError()).isCloseTo(cv.standardDeviation() / Math.sqrt(10), offset(1e-15));
    for (double t : cv.thresholds()) {
      assertThat(t).isBetween(0.3, 0.6);
    }
  }

  @Test
  void stratifiedFoldsBalanceTheLabels() {
    boolean[] same = new boolean[600];
    for (int i = 0; i < 600; i++) {
      same[i] = i < 300;
    }
    int[] fold = CrossValidation.stratifiedFolds(same, 10);
    int[] genuinePerFold = new int[10];
    int[] allPerFold = new int[10];
    for (int i = 0; i < 600; i++) {
      allPerFold[fold[i]]++;
      genuinePerFold[fold[i]] += same[i] ? 1 : 0;
    }
    assertThat(allPerFold).containsOnly(60);
    assertThat(genuinePerFold).containsOnly(30);
  }
}
