package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.UnitVectors;
import io.github.jbellis.jvector.util.Bits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a {@link NeighbourGraph} holds up when many threads build it, and what its searches return.
 */
class NeighbourGraphTest {
  private final ForkJoinPool eightThreads = new ForkJoinPool(8);

  @AfterEach
  void shutDown() {
    eightThreads.shutdown();
  }

  /**
   * Before the first rows went in one by one, about one build in a hundred of this size left a row
   * with no edge to it, which no search reaches (GraphCrashTest met one in a gallery).
   */
  @Test
  void rowsPlacedTogetherFromAnEmptyGraphAreAllReachable() {
    int dim = 8;
    int n = 60;
    ByteRows rows = new ByteRows(dim);
    float[] packed = new float[n * dim];
    for (int r = 0; r < n; r++) {
      System.arraycopy(new UnitVectors(r, dim).random().toArray(), 0, packed, r * dim, dim);
    }
    rows.append(packed, 0, n);
    NeighbourGraph.Shape shape = new NeighbourGraph.Shape(32, 100);
    for (int build = 0; build < 1500; build++) {
      try (NeighbourGraph graph = NeighbourGraph.empty(rows, shape, eightThreads)) {
        graph.insert(0, n, eightThreads);
        assertThat(unreachable(graph, n))
            .as("rows without an edge to them, build %s", build)
            .isEmpty();
      }
    }
  }

  /**
   * Rows reached through an edge into the walk's beam are filtered like the walk's own: a removed
   * row never comes back, and a beam as wide as the graph answers exactly.
   */
  @Test
  void searchesReturnOnlyLiveRowsAndAWideOneIsExact() {
    int dim = 16;
    int n = 400;
    ByteRows rows = randomRows(dim, n);
    Bits live = row -> row % 3 != 0;
    try (NeighbourGraph graph =
        NeighbourGraph.empty(rows, new NeighbourGraph.Shape(8, 20), eightThreads)) {
      graph.insert(0, n, eightThreads);
      NeighbourGraph.Searcher searcher = graph.searcher();
      for (int q = 0; q < 50; q++) {
        float[] probe = new UnitVectors(1000 + q, dim).random().toArray();
        assertThat(IntStream.of(searcher.search(probe, 10, 10, live)).boxed())
            .allMatch(live::get)
            .hasSize(10);
        int[] exact =
            IntStream.range(0, n)
                .filter(live::get)
                .boxed()
                .sorted(Comparator.comparingDouble(row -> -rows.dot(probe, row)))
                .limit(10)
                .mapToInt(Integer::intValue)
                .toArray();
        assertThat(searcher.search(probe, 10, n, live)).containsExactly(exact);
      }
    }
  }

  /**
   * Inserts after the first search keep the edges into rows up to date: every new edge is listed.
   */
  @Test
  void edgesOfRowsInsertedAfterTheFirstSearchAreListedAtTheirEnds() {
    int dim = 16;
    int n = 600;
    ByteRows rows = randomRows(dim, n);
    try (NeighbourGraph graph =
        NeighbourGraph.empty(rows, new NeighbourGraph.Shape(8, 20), eightThreads)) {
      graph.insert(0, n / 2, eightThreads);
      graph.searcher();
      graph.insert(n / 2, n, eightThreads);
      for (int row = n / 2; row < n; row++) {
        for (int to : graph.edgesOf(row)) {
          List<Integer> into = new ArrayList<>();
          graph.incoming().forEachInto(to, into::add);
          assertThat(into).as("edges into %s", to).contains(row);
        }
      }
    }
  }

  private static ByteRows randomRows(int dim, int n) {
    ByteRows rows = new ByteRows(dim);
    UnitVectors vectors = new UnitVectors(7, dim);
    for (int r = 0; r < n; r++) {
      rows.append(vectors.random().toArray(), 0, 1);
    }
    return rows;
  }

  private static List<Integer> unreachable(NeighbourGraph graph, int n) {
    int[] edgesTo = new int[n];
    for (int row = 0; row < n; row++) {
      for (int to : graph.edgesOf(row)) {
        edgesTo[to]++;
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int row = 0; row < n; row++) {
      if (edgesTo[row] == 0) {
        out.add(row);
      }
    }
    return out;
  }
}
