package dev.semblance.internal.gallery;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The k distinct keys with the highest scores among those offered, a key scoring its highest offer:
 * a min-heap on score plus the heap position of each key. Exact in a stream: a key pushed out can
 * only come back with a score above the current minimum, which never falls, so a lower later offer
 * of an evicted key is correctly ignored. Not thread-safe.
 */
final class TopK {
  private final int k;
  private final float[] score;
  private final int[] key;
  private final Map<Integer, Integer> position = new HashMap<>();
  private int size;

  TopK(int k) {
    this.k = k;
    this.score = new float[k];
    this.key = new int[k];
  }

  int size() {
    return size;
  }

  /** The score an offer must beat to change the result: the k-th best, or -∞ while not full. */
  float threshold() {
    return size < k ? Float.NEGATIVE_INFINITY : score[0];
  }

  void offer(int k0, float s) {
    if (size == k && !(s > score[0])) {
      return;
    }
    Integer at = position.get(k0);
    if (at != null) {
      if (s > score[at]) {
        score[at] = s;
        siftDown(at);
      }
      return;
    }
    if (size < k) {
      place(size, k0, s);
      siftUp(size++);
    } else {
      position.remove(key[0]);
      place(0, k0, s);
      siftDown(0);
    }
  }

  void addAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.key[i], other.score[i]);
    }
  }

  /** The keys, best first; equal scores in key order so that results are reproducible. */
  int[] keysBestFirst() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) ->
            score[a] != score[b]
                ? Float.compare(score[b], score[a])
                : Integer.compare(key[a], key[b]));
    int[] keys = new int[size];
    for (int i = 0; i < size; i++) {
      keys[i] = key[order[i]];
    }
    return keys;
  }

  float scoreOf(int k0) {
    return score[position.get(k0)];
  }

  private void place(int at, int k0, float s) {
    key[at] = k0;
    score[at] = s;
    position.put(k0, at);
  }

  private void siftUp(int at) {
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (score[parent] <= score[at]) {
        return;
      }
      swap(at, parent);
      at = parent;
    }
  }

  private void siftDown(int at) {
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        return;
      }
      if (child + 1 < size && score[child + 1] < score[child]) {
        child++;
      }
      if (score[at] <= score[child]) {
        return;
      }
      swap(at, child);
      at = child;
    }
  }

  private void swap(int a, int b) {
    int ka = key[a];
    float sa = score[a];
    place(a, key[b], score[b]);
    place(b, ka, sa);
  }
}
