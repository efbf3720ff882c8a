package dev.semblance.graph.internal;

import dev.semblance.spi.NeighbourSearch;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Neighbours for clustering from a jvector graph over the faces, kept on the heap. Clustering keeps
 * only neighbours above a high cut-off, which a narrow, sparse graph finds: degree 16, build width
 * 64 and search width 64 (set before measuring; docs/clustering.md has the clusters' BCubed F
 * against the exact scan's on both halves of the benchmark's people).
 *
 * <p>Thread safety: stateless; each index is used by one thread at a time.
 */
public final class GraphNeighbourSearch implements NeighbourSearch {
  private static final NeighbourGraph.Shape SHAPE = new NeighbourGraph.Shape(16, 64);
  private static final int SEARCH_WIDTH = 64;

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public Index create(int dimension) {
    return new GraphIndex(dimension);
  }

  private static final class GraphIndex implements Index {
    private final HeapRows rows;
    private final NeighbourGraph graph;
    private final ForkJoinPool pool = Workers.POOL;

    GraphIndex(int dimension) {
      this.rows = new HeapRows(dimension);
      this.graph = NeighbourGraph.empty(rows, SHAPE, pool);
    }

    @Override
    public void add(float[] vectors, int first, int count) {
      int from = rows.rows();
      rows.append(vectors, first, count);
      graph.insert(from, rows.rows(), pool);
    }

    @Override
    public int size() {
      return rows.rows();
    }

    @Override
    public int[][] nearest(int from, int to, int count) {
      ThreadLocal<NeighbourGraph.Searcher> searchers = ThreadLocal.withInitial(graph::searcher);
      return pool.submit(
              () ->
                  IntStream.range(from, to)
                      .parallel()
                      .mapToObj(row -> shortlist(searchers.get(), row, count))
                      .toArray(int[][]::new))
          .join();
    }

    /**
     * What a search from the graph's entry finds, and the row's own edges: a face far from the
     * crowd (a real face among many alike) may be reached from few places, but the edges it chose
     * when it was placed lead to its nearest.
     */
    private int[] shortlist(NeighbourGraph.Searcher searcher, int row, int count) {
      int[] found = searcher.search(rows.read(row), count, SEARCH_WIDTH, r -> r != row);
      int[] edges = graph.edgesOf(row);
      return IntStream.concat(IntStream.of(found), IntStream.of(edges)).distinct().toArray();
    }

    @Override
    public void close() {
      graph.close();
    }
  }
}
