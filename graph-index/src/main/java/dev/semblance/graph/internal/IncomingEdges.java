package dev.semblance.graph.internal;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * For each row of a {@link NeighbourGraph}, the rows with an edge to it: the graph keeps only edges
 * out, and a row whose neighbours all have closer rows to link to loses the edges into it.
 *
 * <p>Thread safety: adds must not overlap other calls; reads run concurrently.
 */
final class IncomingEdges {
  private int[][] lists = new int[0][];
  private int[] sizes = new int[0];

  /** The edges into every row of {@code graph}'s first {@code rows} rows, each list sized once. */
  static IncomingEdges of(NeighbourGraph graph, int rows) {
    IncomingEdges in = new IncomingEdges();
    in.grow(rows);
    for (int row = 0; row < rows; row++) {
      for (int to : graph.edgesOf(row)) {
        in.sizes[to]++;
      }
    }
    for (int row = 0; row < rows; row++) {
      in.lists[row] = new int[in.sizes[row]];
    }
    Arrays.fill(in.sizes, 0);
    for (int row = 0; row < rows; row++) {
      for (int to : graph.edgesOf(row)) {
        in.lists[to][in.sizes[to]++] = row;
      }
    }
    return in;
  }

  /** Records an edge from row {@code from} to row {@code to}. */
  void add(int from, int to) {
    if (to >= lists.length) {
      grow(Math.max(to + 1, lists.length * 2));
    }
    int[] list = lists[to];
    int size = sizes[to];
    if (list == null || size == list.length) {
      list = lists[to] = Arrays.copyOf(list == null ? new int[0] : list, Math.max(4, 2 * size));
    }
    list[size] = from;
    sizes[to] = size + 1;
  }

  /** Calls {@code action} with each row that has an edge to {@code row}. */
  void forEachInto(int row, IntConsumer action) {
    if (row < lists.length && lists[row] != null) {
      int[] list = lists[row];
      for (int i = 0, size = sizes[row]; i < size; i++) {
        action.accept(list[i]);
      }
    }
  }

  private void grow(int rows) {
    lists = Arrays.copyOf(lists, rows);
    sizes = Arrays.copyOf(sizes, rows);
  }
}
