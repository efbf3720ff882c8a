package dev.semblance.video;

import java.util.Arrays;

/**
 * The cheapest one-to-one assignment of rows to columns (the Hungarian algorithm, in the O(n²m)
 * form with potentials); pairs whose cost is not finite are never assigned.
 *
 * <p>Stateless; thread-safe.
 */
final class Assignment {
  private Assignment() {}

  /**
   * For each row of {@code cost}, the column it is assigned to, or -1. Rows or columns left over
   * (the matrix need not be square) and pairs whose cost is infinite or NaN stay unassigned.
   */
  static int[] solve(double[][] cost) {
    int rows = cost.length;
    int cols = rows == 0 ? 0 : cost[0].length;
    int[] result = new int[rows];
    Arrays.fill(result, -1);
    if (rows == 0 || cols == 0) {
      return result;
    }
    // A forbidden pair costs more than any assignment of allowed ones, so that it is taken only
    // where nothing else is possible, and then dropped.
    double max = 0;
    for (double[] row : cost) {
      for (double c : row) {
        if (Double.isFinite(c)) {
          max = Math.max(max, Math.abs(c));
        }
      }
    }
    double forbidden = (max + 1) * (Math.max(rows, cols) + 1);
    boolean transpose = rows > cols;
    int n = transpose ? cols : rows;
    int m = transpose ? rows : cols;
    double[][] a = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double c = transpose ? cost[j][i] : cost[i][j];
        a[i][j] = Double.isFinite(c) ? c : forbidden;
      }
    }
    int[] rowOfCol = minimise(a);
    for (int j = 0; j < m; j++) {
      int i = rowOfCol[j];
      if (i < 0 || a[i][j] >= forbidden) {
        continue;
      }
      if (transpose) {
        result[j] = i;
      } else {
        result[i] = j;
      }
    }
    return result;
  }

  /** Hungarian algorithm for n rows ≤ m columns; returns the row of each column, or -1. */
  private static int[] minimise(double[][] a) {
    int n = a.length;
    int m = a[0].length;
    double[] u = new double[n + 1];
    double[] v = new double[m + 1];
    int[] p = new int[m + 1]; // p[j]: the row (1-based) assigned to column j, 0 for none
    int[] way = new int[m + 1];
    for (int i = 1; i <= n; i++) {
      p[0] = i;
      int j0 = 0;
      double[] minv = new double[m + 1];
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      boolean[] used = new boolean[m + 1];
      do {
        used[j0] = true;
        int i0 = p[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = 0;
        for (int j = 1; j <= m; j++) {
          if (!used[j]) {
            double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
            if (cur < minv[j]) {
              minv[j] = cur;
              way[j] = j0;
            }
            if (minv[j] < delta) {
              delta = minv[j];
              j1 = j;
            }
          }
        }
        for (int j = 0; j <= m; j++) {
          if (used[j]) {
            u[p[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (p[j0] != 0);
      do {
        int j1 = way[j0];
        p[j0] = p[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    int[] rowOfCol = new int[m];
    for (int j = 1; j <= m; j++) {
      rowOfCol[j - 1] = p[j] - 1;
    }
    return rowOfCol;
  }
}
