package dev.semblance.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualityFitTest {
  @Test
  void solvesASystemWorkedByHand() {
    // 2x + y = 5, x + 3y = 10: x = 1, y = 3 (the first row needs a pivot swap).
    double[] x = QualityFit.solve(new double[][] {{1, 3, 10}, {2, 1, 5}});
    assertThat(x[0]).isCloseTo(1, within(1e-12));
    assertThat(x[1]).isCloseTo(3, within(1e-12));
  }

  @Test
  void aConstantAloneFitsTheLogOddsOfTheLabels() {
    // One poor comparison in four: the maximum-likelihood logit is ln(1/3).
    double[] w =
        QualityFit.newton(new double[][] {{1}, {1}, {1}, {1}}, new int[] {1, 0, 0, 0}, 1.0);
    assertThat(w[0]).isCloseTo(Math.log(1.0 / 3), within(1e-9));
  }

  @Test
  void theFitIsAStationaryPointOfThePenalisedLikelihood() {
    double[][] z = {{-1.5, 1}, {-0.5, 1}, {0.2, 1}, {0.9, 1}, {1.4, 1}, {-0.1, 1}};
    int[] y = {1, 1, 0, 0, 0, 1};
    double ridge = 0.7;
    double[] w = QualityFit.newton(z, y, ridge);
    double feature = -ridge * w[0], constant = 0;
    for (int g = 0; g < z.length; g++) {
      double p = 1 / (1 + Math.exp(-(w[0] * z[g][0] + w[1])));
      feature += (y[g] - p) * z[g][0];
      constant += y[g] - p;
    }
    assertThat(feature).isCloseTo(0, within(1e-9));
    assertThat(constant).isCloseTo(0, within(1e-9));
    assertThat(w[0]).isNegative(); // a higher feature, fewer poor comparisons
  }

  @Test
  void aFeatureThatPredictsPoorComparisonsRaisesTheScoreOfGoodImages() {
    // Image i has feature i; a pair's similarity grows with its two features, plus a second
    // feature that is noise.
    int n = 40;
    double[][] features = new double[n][];
    for (int i = 0; i < n; i++) {
      features[i] = new double[] {i, (i * 7919) % 13};
    }
    List<int[]> pairs = new ArrayList<>();
    List<Double> sims = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j += 3) {
        pairs.add(new int[] {i, j});
        sims.add(0.3 + 0.01 * (i + j));
      }
    }
    double[] similarity = sims.stream().mapToDouble(Double::doubleValue).toArray();
    QualityFit.Model model = QualityFit.fit(features, pairs, similarity, 0.1, 0.0, 1.0);
    assertThat(model.weights()[0]).isPositive();
    assertThat(Math.abs(model.weights()[1])).isLessThan(model.weights()[0]);
    assertThat(model.score(new double[] {35, 5})).isGreaterThan(model.score(new double[] {2, 5}));
    assertThat(model.score(new double[] {35, 5})).isBetween(0.0, 1.0);
  }
}
