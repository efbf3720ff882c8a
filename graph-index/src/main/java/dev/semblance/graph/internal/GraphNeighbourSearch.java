package dev.semblance.graph.internal;

import dev.semblance.spi.NeighbourSearch;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Neighbours for clustering from a jvector graph over the faces, kept on the heap as bytes ({@link
 * ByteRows}). A face's shortlist is what the search that placed it in the graph scored highest,
 * with its edges: no second search. Clustering keeps only neighbours above a high cut-off, which a
 * sparse graph built with a wide search finds: degree 16, build width 160, the narrowest of the
 * widths tried whose clusters' BCubed F came within 0.002 of the exact scan's on the choosing half
 * of the benchmark's people (docs/clustering.md).
 *
 * <p>Thread safety: stateless; each index is used by one thread at a time.
 */
public final class GraphNeighbourSearch implements NeighbourSearch {
  private static final NeighbourGraph.Shape SHAPE = new NeighbourGraph.Shape(16, 160);

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public Index create(int dimension) {
    return new GraphIndex(dimension);
  }

  private static final class GraphIndex implements Index {
    private final ByteRows rows;
    private final NeighbourGraph graph;
    private final ForkJoinPool pool = Workers.POOL;

    GraphIndex(int dimension) {
      this.rows = new ByteRows(dimension);
      this.graph = NeighbourGraph.empty(rows, SHAPE, pool);
    }

    @Override
    public int[][] add(float[] vectors, int first, int count, int neighbours) {
      int from = rows.rows();
      rows.append(vectors, first, count);
      int[][] placed = graph.insert(from, rows.rows(), neighbours, pool);
      for (int i = 0; i < count && neighbours > 0; i++) {
        placed[i] = withEdges(placed[i], from + i);
      }
      return placed;
    }

    @Override
    public int size() {
      return rows.rows();
    }

    /**
     * What the search that placed the row found, and the row's edges now: those added after it that
     * chose it as a neighbour, and, for a face far from the crowd (a real face among many alike),
     * edges that a later search from the graph's entry might not reach.
     */
    private int[] withEdges(int[] placed, int row) {
      return IntStream.concat(IntStream.of(placed), IntStream.of(graph.edgesOf(row)))
          .distinct()
          .toArray();
    }

    @Override
    public void close() {
      graph.close();
    }
  }
}
