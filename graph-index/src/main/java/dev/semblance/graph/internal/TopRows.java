package dev.semblance.graph.internal;

import java.util.Arrays;

/**
 * The rows with the highest scores among those offered, up to a capacity: a min-heap on the score,
 * so that an offer below the worst kept one costs one comparison.
 *
 * <p>Thread safety: not thread-safe.
 */
final class TopRows {
  private final int[] rows;
  private final float[] scores;
  private int size;

  TopRows(int capacity) {
    rows = new int[capacity];
    scores = new float[capacity];
  }

  void offer(int row, float score) {
    if (size < rows.length) {
      rows[size] = row;
      scores[size] = score;
      up(size++);
    } else if (size > 0 && score > scores[0]) {
      rows[0] = row;
      scores[0] = score;
      down(0);
    }
  }

  /**
   * The kept rows, best first, each once (a search through several layers may score a row twice).
   */
  int[] rows() {
    Integer[] order = new Integer[size];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
    return Arrays.stream(order).mapToInt(i -> rows[i]).distinct().toArray();
  }

  private void up(int i) {
    while (i > 0 && scores[i] < scores[(i - 1) / 2]) {
      swap(i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  }

  private void down(int i) {
    for (int child = 2 * i + 1; child < size; i = child, child = 2 * i + 1) {
      if (child + 1 < size && scores[child + 1] < scores[child]) {
        child++;
      }
      if (scores[i] <= scores[child]) {
        return;
      }
      swap(i, child);
    }
  }

  private void swap(int a, int b) {
    int r = rows[a];
    rows[a] = rows[b];
    rows[b] = r;
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
  }
}
