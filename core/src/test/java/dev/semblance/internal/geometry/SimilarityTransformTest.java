package dev.semblance.internal.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityTransformTest {
  private static final double[][] TEMPLATE = {
    {38.2946, 51.6963},
    {73.5318, 51.5014},
    {56.0252, 71.7366},
    {41.5493, 92.3655},
    {70.7299, 92.2041}
  };

  @Test
  void recoversAKnownTransformExactly() {
    Random random = new Random(7);
    for (int trial = 0; trial < 100; trial++) {
      double scale = 0.2 + 5 * random.nextDouble();
      double angle = (random.nextDouble() - 0.5) * 2 * Math.PI * 0.99;
      SimilarityTransform truth =
          new SimilarityTransform(
              scale * Math.cos(angle),
              scale * Math.sin(angle),
              random.nextGaussian() * 300,
              random.nextGaussian() * 300);
      double[][] moved = new double[5][];
      for (int i = 0; i < 5; i++) {
        moved[i] = truth.apply(TEMPLATE[i][0], TEMPLATE[i][1]);
      }
      SimilarityTransform fit = SimilarityTransform.estimate(TEMPLATE, moved);
      assertThat(fit.scale()).isCloseTo(scale, offset(1e-9 * scale));
      assertThat(fit.angle()).isCloseTo(angle, offset(1e-9));
      assertThat(fit.tx()).isCloseTo(truth.tx(), offset(1e-7));
      assertThat(fit.ty()).isCloseTo(truth.ty(), offset(1e-7));
    }
  }

  @Test
  void inverseUndoesTheTransform() {
    SimilarityTransform t = new SimilarityTransform(1.3, -0.4, 12, -7);
    double[] p = t.apply(5, 9);
    double[] back = t.inverse().apply(p[0], p[1]);
    assertThat(back[0]).isCloseTo(5, offset(1e-12));
    assertThat(back[1]).isCloseTo(9, offset(1e-12));
  }

  @Test
  void leastSquaresFitOfNoisyPointsBeatsTheFitToAnyPointsSubset() {
    // With noise, the fit is the least-squares optimum: perturbing it only adds error.
    Random random = new Random(3);
    SimilarityTransform truth = new SimilarityTransform(2.0, 0.5, 40, -10);
    double[][] noisy = new double[5][];
    for (int i = 0; i < 5; i++) {
      double[] p = truth.apply(TEMPLATE[i][0], TEMPLATE[i][1]);
      noisy[i] = new double[] {p[0] + random.nextGaussian(), p[1] + random.nextGaussian()};
    }
    SimilarityTransform fit = SimilarityTransform.estimate(TEMPLATE, noisy);
    double best = residual(fit, noisy);
    double[] deltas = {1e-3, -1e-3};
    for (double d : deltas) {
      assertThat(residual(new SimilarityTransform(fit.a() + d, fit.b(), fit.tx(), fit.ty()), noisy))
          .isGreaterThan(best);
      assertThat(residual(new SimilarityTransform(fit.a(), fit.b() + d, fit.tx(), fit.ty()), noisy))
          .isGreaterThan(best);
      assertThat(residual(new SimilarityTransform(fit.a(), fit.b(), fit.tx() + d, fit.ty()), noisy))
          .isGreaterThan(best);
      assertThat(residual(new SimilarityTransform(fit.a(), fit.b(), fit.tx(), fit.ty() + d), noisy))
          .isGreaterThan(best);
    }
  }

  @Test
  void neverReflects() {
    // Mirrored points cannot be matched by a similarity; the fit must stay a rotation.
    double[][] mirrored = new double[5][];
    for (int i = 0; i < 5; i++) {
      mirrored[i] = new double[] {112 - TEMPLATE[i][0], TEMPLATE[i][1]};
    }
    SimilarityTransform fit = SimilarityTransform.estimate(TEMPLATE, mirrored);
    assertThat(fit.scale()).isLessThan(1.0);
  }

  @Test
  void rejectsDegenerateInput() {
    double[][] same = {{1, 1}, {1, 1}, {1, 1}};
    assertThatThrownBy(() -> SimilarityTransform.estimate(same, TEMPLATE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("point counts differ");
    assertThatThrownBy(() -> SimilarityTransform.estimate(same, same))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("coincide");
  }

  private static double residual(SimilarityTransform t, double[][] target) {
    double sum = 0;
    for (int i = 0; i < 5; i++) {
      double[] p = t.apply(TEMPLATE[i][0], TEMPLATE[i][1]);
      sum += Math.pow(p[0] - target[i][0], 2) + Math.pow(p[1] - target[i][1], 2);
    }
    return sum;
  }
}
