package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.UnitVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a {@link NeighbourGraph} holds up when many threads build it. */
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
