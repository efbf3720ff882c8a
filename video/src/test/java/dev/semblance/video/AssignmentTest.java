package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AssignmentTest {
  @Test
  void findsTheCheapestAssignmentOfRandomMatrices() {
    Random random = new Random(3);
    for (int trial = 0; trial < 300; trial++) {
      int rows = 1 + random.nextInt(6);
      int cols = 1 + random.nextInt(6);
      double[][] cost = new double[rows][cols];
      for (double[] row : cost) {
        for (int j = 0; j < cols; j++) {
          row[j] = random.nextInt(5) == 0 ? Double.POSITIVE_INFINITY : random.nextDouble();
        }
      }
      int[] got = Assignment.solve(cost);
      boolean[] used = new boolean[cols];
      int pairs = 0;
      double total = 0;
      for (int i = 0; i < rows; i++) {
        if (got[i] >= 0) {
          assertThat(used[got[i]]).isFalse();
          used[got[i]] = true;
          assertThat(cost[i][got[i]]).isFinite();
          pairs++;
          total += cost[i][got[i]];
        }
      }
      double[] best = best(cost, 0, new boolean[cols]);
      // As many pairs as possible, and among those the cheapest.
      assertThat(pairs).isEqualTo((int) best[0]);
      assertThat(total).isCloseTo(best[1], org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  /** Brute force: {most pairs, least cost} over the rows from {@code i}. */
  private static double[] best(double[][] cost, int i, boolean[] used) {
    if (i == cost.length) {
      return new double[] {0, 0};
    }
    double[] best = best(cost, i + 1, used);
    for (int j = 0; j < used.length; j++) {
      if (!used[j] && Double.isFinite(cost[i][j])) {
        used[j] = true;
        double[] rest = best(cost, i + 1, used);
        used[j] = false;
        double pairs = rest[0] + 1;
        double total = rest[1] + cost[i][j];
        if (pairs > best[0] || (pairs == best[0] && total < best[1])) {
          best = new double[] {pairs, total};
        }
      }
    }
    return best;
  }

  @Test
  void leavesForbiddenPairsUnassigned() {
    double inf = Double.POSITIVE_INFINITY;
    assertThat(Assignment.solve(new double[][] {{inf, 0.5}, {inf, 0.1}})).containsExactly(-1, 1);
    assertThat(Assignment.solve(new double[][] {{0.2}, {0.1}, {0.3}})).containsExactly(-1, 0, -1);
    assertThat(Assignment.solve(new double[0][0])).isEmpty();
  }
}
