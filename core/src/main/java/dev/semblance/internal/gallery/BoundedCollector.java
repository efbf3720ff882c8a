package dev.semblance.internal.gallery;

import java.util.Arrays;

/**
 * Collects the rows an approximate scan cannot rule out, for an exact re-rank. Each row comes with
 * an approximate score and a bound on its error, so its exact score lies in [approx − error, approx
 * + error]. Once k distinct identities have lower bounds of at least L, the k-th best exact
 * identity score is at least L, so only rows whose upper bound reaches L can belong to the answer;
 * the rest are dropped. Re-ranking the survivors exactly gives exactly the answer of an exact scan.
 * Not thread-safe.
 */
final class BoundedCollector {
  private final TopK lower;
  private int[] rows = new int[64];
  private float[] upper = new float[64];
  private int size;

  BoundedCollector(int k) {
    this.lower = new TopK(k);
  }

  void offer(int row, int slot, float approx, float error) {
    float up = approx + error;
    if (up < lower.threshold()) {
      return;
    }
    lower.offer(slot, approx - error);
    if (size == rows.length) {
      compact();
    }
    rows[size] = row;
    upper[size++] = up;
  }

  /** Drops candidates the bound has since ruled out; grows when that frees too little. */
  private void compact() {
    float bound = lower.threshold();
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (upper[i] >= bound) {
        rows[kept] = rows[i];
        upper[kept++] = upper[i];
      }
    }
    size = kept;
    if (size > rows.length / 2) {
      rows = Arrays.copyOf(rows, rows.length * 2);
      upper = Arrays.copyOf(upper, upper.length * 2);
    }
  }

  /** The surviving rows, for exact scoring. */
  int[] candidates() {
    compact();
    return Arrays.copyOf(rows, size);
  }
}
