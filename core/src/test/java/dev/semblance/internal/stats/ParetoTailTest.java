package dev.semblance.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParetoTailTest {
  /** {@code n} draws of u + GPD(σ, ξ), by the inverse of its distribution function. */
  private static double[] draws(int n, double u, double sigma, double xi, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      double p = random.nextDouble();
      x[i] = u + sigma / xi * (Math.pow(1 - p, -xi) - 1);
    }
    return x;
  }

  @Test
  void recoversTheShapeAndScaleOfABoundedTail() {
    ParetoTail fit = ParetoTail.fit(draws(20_000, 0.4, 0.03, -0.2, 1), 20_000_000);
    assertThat(fit.xi()).isCloseTo(-0.2, within(0.03));
    assertThat(fit.sigma()).isCloseTo(0.03, within(0.002));
    assertThat(fit.rate()).isCloseTo(1e-3, within(1e-9));
    // The rate it reads a decade below its data matches the true tail.
    double t = 0.4 + 0.03 / -0.2 * (Math.pow(1e-5 / 1e-3, 0.2) - 1);
    assertThat(fit.rateAt(t)).isCloseTo(1e-5, within(3e-6));
  }

  @Test
  void thresholdAndRateAreInverses() {
    ParetoTail tail = new ParetoTail(0.4, 1e-4, 0.03, -0.05);
    for (double r : new double[] {1e-4, 1e-6, 1e-9}) {
      assertThat(tail.rateAt(tail.thresholdFor(r))).isCloseTo(r, within(r * 1e-9));
    }
    assertThat(tail.thresholdFor(1e-9)).isGreaterThan(tail.thresholdFor(1e-6));
    assertThatThrownBy(() -> tail.thresholdFor(1e-3)).hasMessageContaining("outside the tail");
  }

  @Test
  void bootstrapReplicatesSpreadAroundTheFit() {
    double[] top = draws(500, 0.4, 0.03, -0.1, 2);
    ParetoTail fit = ParetoTail.fit(top, 5_000_000);
    ParetoTail[] replicates = ParetoTail.bootstrap(top, 5_000_000, 200, 3);
    double[] at =
        Arrays.stream(replicates).mapToDouble(r -> r.thresholdFor(1e-8)).sorted().toArray();
    assertThat(at[10]).isLessThan(fit.thresholdFor(1e-8));
    assertThat(at[189]).isGreaterThan(fit.thresholdFor(1e-8));
    assertThat(ParetoTail.bootstrap(top, 5_000_000, 200, 3)).isEqualTo(replicates);
  }

  @Test
  void refusesTooFewOrEqualScores() {
    assertThatThrownBy(() -> ParetoTail.fit(new double[10], 100)).hasMessageContaining("more than");
    double[] flat = new double[100];
    Arrays.fill(flat, 0.5);
    assertThatThrownBy(() -> ParetoTail.fit(flat, 1000)).hasMessageContaining("all equal");
  }
}
