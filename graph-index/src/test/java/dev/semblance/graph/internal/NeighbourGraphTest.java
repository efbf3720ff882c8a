package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.testing.UnitVectors;
import io.github.jbellis.jvector.util.Bits;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /**
   * A loaded graph takes its edges' scores from the file instead of scoring them again: saved once
   * more it holds the same edges with the same scores, bit for bit.
   */
  @Test
  void aLoadedGraphSavesTheEdgesAndScoresItWasLoadedWith(@TempDir Path dir) throws IOException {
    ByteRows rows = randomRows(16, 3000);
    NeighbourGraph.Shape shape = new NeighbourGraph.Shape(8, 20);
    Path first = dir.resolve("first.bin"), second = dir.resolve("second.bin");
    try (NeighbourGraph graph = NeighbourGraph.empty(rows, shape, eightThreads)) {
      graph.insert(0, 3000, eightThreads);
      graph.save(first);
    }
    try (NeighbourGraph loaded = NeighbourGraph.load(first, rows, shape, eightThreads)) {
      assertThat(loaded.covered()).isEqualTo(3000);
      loaded.save(second);
    }
    assertThat(edges(second)).isEqualTo(edges(first)).hasSizeGreaterThan(3000 * 4);
  }

  /**
   * Each "level node neighbour" of a saved graph with the bits of the edge's score (jvector's
   * format 4: its header, then each level's nodes, in an order that may differ from save to save).
   */
  private static Set<String> edges(Path file) throws IOException {
    Set<String> edges = new HashSet<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      in.readInt(); // rows covered
      in.readInt(); // magic
      assertThat(in.readInt()).as("format").isEqualTo(4);
      int levels = in.readInt();
      for (int l = 0; l < levels; l++) {
        in.readInt(); // degree
      }
      in.readInt(); // entry node
      for (int l = 0; l < levels; l++) {
        for (int nodes = in.readInt(); nodes > 0; nodes--) {
          int node = in.readInt();
          for (int n = in.readInt(); n > 0; n--) {
            edges.add(l + " " + node + " " + in.readInt() + " " + in.readInt());
          }
        }
      }
    }
    return edges;
  }

  /**
   * The saved scores are checked against the rows: a graph saved over other rows does not load (the
   * store then builds the graph anew) instead of keeping scores its rows do not have.
   */
  @Test
  void aGraphSavedOverOtherRowsDoesNotLoad(@TempDir Path dir) throws IOException {
    NeighbourGraph.Shape shape = new NeighbourGraph.Shape(8, 20);
    Path file = dir.resolve("graph.bin");
    try (NeighbourGraph graph = NeighbourGraph.empty(randomRows(16, 500), shape, eightThreads)) {
      graph.insert(0, 500, eightThreads);
      graph.save(file);
    }
    ByteRows other = new ByteRows(16);
    UnitVectors vectors = new UnitVectors(8, 16);
    for (int r = 0; r < 500; r++) {
      other.append(vectors.random().toArray(), 0, 1);
    }
    assertThatThrownBy(() -> NeighbourGraph.load(file, other, shape, eightThreads))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not its score");
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
