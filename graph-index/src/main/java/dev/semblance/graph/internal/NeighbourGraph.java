package dev.semblance.graph.internal;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * A jvector graph (Vamana edges with HNSW's upper layers) over {@link Rows}, scored by their inner
 * products (of bytes, within 10^-3). It only shortlists: callers re-score. Removed rows stay in the
 * graph as stepping stones (marking them deleted in jvector would leave the rows inserted after
 * them poorly connected until a cleanup); searches skip them through their filter, and a compaction
 * builds a graph without them.
 *
 * <p>A search also scores the rows with an edge into the rows its walk ends on ({@link
 * IncomingEdges}): a face unlike the crowd around it keeps its edges out to that crowd, but the
 * crowd's own places go to one another, so a walk that reaches its neighbours need not reach it.
 *
 * <p>Thread safety: searches run concurrently; inserts (parallel inside) must not overlap one
 * another or searches, and {@link #save} and {@link #close} must not overlap other calls.
 */
final class NeighbourGraph implements AutoCloseable {
  private static final VectorTypeSupport VECTORS =
      VectorizationProvider.getInstance().getVectorTypeSupport();

  /** The build's candidate lists may overflow the degree by this much before pruning (jvector). */
  private static final float NEIGHBOUR_OVERFLOW = 1.2f;

  /** Vamana's diversity factor: an edge is pruned only when a kept one is this much closer. */
  private static final float ALPHA = 1.2f;

  private final Rows rows;
  private final GraphIndexBuilder builder;
  private final int degree;
  private int covered;
  private IncomingEdges incoming; // made on first use: clustering's graphs never search

  /** The reader of a saved graph while it loads (see {@link RowScores#searchProviderFor(int)}). */
  private GraphFileReader loading;

  /** The graph's settings: edges per node and the width of the search that places a new node. */
  record Shape(int degree, int buildWidth) {}

  private NeighbourGraph(Rows rows, Shape shape, ForkJoinPool pool) {
    this.rows = rows;
    this.degree = shape.degree();
    this.builder =
        new GraphIndexBuilder(
            new RowScores(),
            rows.dimension(),
            shape.degree(),
            shape.buildWidth(),
            NEIGHBOUR_OVERFLOW,
            ALPHA,
            true,
            false,
            pool,
            pool);
  }

  /** An empty graph over {@code rows}; add rows with {@link #insert}. */
  static NeighbourGraph empty(Rows rows, Shape shape, ForkJoinPool pool) {
    return new NeighbourGraph(rows, shape, pool);
  }

  /**
   * The graph saved in {@code file}, over the first rows of {@code rows}.
   *
   * @throws IOException if the file is damaged or not a saved graph
   */
  static NeighbourGraph load(Path file, Rows rows, Shape shape, ForkJoinPool pool)
      throws IOException {
    NeighbourGraph graph = new NeighbourGraph(rows, shape, pool);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        GraphFileReader reader = new GraphFileReader(channel, ByteOrder.BIG_ENDIAN, 1 << 20)) {
      graph.covered = reader.readInt();
      graph.loading = reader;
      graph.builder.load(reader);
    } catch (IOException | RuntimeException e) {
      graph.close();
      throw new IOException("not a saved graph: " + e, e);
    } finally {
      graph.loading = null;
    }
    return graph;
  }

  /** The rows below this number have been inserted (removed ones included). */
  int covered() {
    return covered;
  }

  /** Adds rows {@code from} to {@code to - 1}, on {@code pool}'s threads. */
  void insert(int from, int to, ForkJoinPool pool) {
    insert(from, to, 0, pool);
  }

  /**
   * Adds rows {@code from} to {@code to - 1}, on {@code pool}'s threads, and returns for each the
   * {@code shortlist} rows that scored highest in the search that placed it, best first: its
   * nearest among the rows placed before it, at no cost beyond the insertion's own.
   */
  int[][] insert(int from, int to, int shortlist, ForkJoinPool pool) {
    int[][] found = new int[to - from][];
    // Rows placed together into a graph of a few rows find almost nothing to link to, and jvector
    // can leave one with an edge or two and none to it, a row no search reaches (GraphCrashTest
    // met one). The first rows go in one by one, each then searching all placed before it.
    int alone = Math.min(to, from + Math.max(0, degree - builder.getGraph().size(0)));
    for (int row = from; row < alone; row++) {
      found[row - from] = place(row, shortlist);
    }
    if (to - alone == 1) {
      found[alone - from] = place(alone, shortlist);
    } else if (to - alone > 1) {
      pool.submit(
              () ->
                  IntStream.range(alone, to)
                      .parallel()
                      .forEach(row -> found[row - from] = place(row, shortlist)))
          .join();
    }
    covered = Math.max(covered, to);
    synchronized (this) {
      if (incoming != null) {
        for (int row = from; row < to; row++) {
          for (int edge : edgesOf(row)) {
            incoming.add(row, edge);
          }
        }
      }
    }
    return found;
  }

  private int[] place(int row, int shortlist) {
    float[] vector = rows.read(row);
    TopRows best = new TopRows(shortlist);
    ScoreFunction.ExactScoreFunction score =
        node -> {
          float s = rows.dot(vector, node);
          if (node != row) {
            best.offer(node, s);
          }
          return scaled(s);
        };
    builder.addGraphNode(row, new DefaultSearchScoreProvider(score));
    return best.rows();
  }

  /** The rows {@code row} has edges to on the graph's base layer. */
  int[] edgesOf(int row) {
    NodesIterator edges = ((OnHeapGraphIndex) builder.getGraph()).getNeighborsIterator(0, row);
    int[] out = new int[edges.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = edges.nextInt();
    }
    return out;
  }

  /** A searcher for one thread. */
  Searcher searcher() {
    return new Searcher(incoming());
  }

  /** The edges into each row, made on the first call and kept up to date by inserts after it. */
  synchronized IncomingEdges incoming() {
    if (incoming == null) {
      incoming = IncomingEdges.of(this, covered);
    }
    return incoming;
  }

  /**
   * Writes the graph to {@code file} (not synced; the caller moves it into place); false, writing
   * nothing, when it holds no row.
   */
  boolean save(Path file) throws IOException {
    builder.cleanup();
    OnHeapGraphIndex graph = (OnHeapGraphIndex) builder.getGraph();
    if (graph.size(0) == 0) {
      return false;
    }
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(
                Channels.newOutputStream(
                    FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)),
                1 << 20))) {
      out.writeInt(covered);
      graph.save(out);
    }
    return true;
  }

  @Override
  public void close() {
    try {
      builder.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Searches of one thread; not thread-safe. */
  final class Searcher {
    private final GraphSearcher searcher = new GraphSearcher(builder.getGraph());
    private final IncomingEdges incoming;

    private Searcher(IncomingEdges incoming) {
      this.incoming = incoming;
    }

    /**
     * Up to {@code count} rows accepted by {@code live}, best first: the best of a walk with a beam
     * of {@code width} candidates and of the rows with an edge into the beam it ends with.
     */
    int[] search(float[] probe, int count, int width, Bits live) {
      int beam = Math.max(count, width);
      SearchResult.NodeScore[] walked =
          searcher.search(scorer(probe), beam, beam, 0f, 0f, live).getNodes();
      TopRows best = new TopRows(count);
      RowSet seen = new RowSet(walked.length * (1 + degree)); // about as many edges in as out
      for (SearchResult.NodeScore node : walked) {
        seen.add(node.node);
        best.offer(node.node, unscaled(node.score));
      }
      for (SearchResult.NodeScore node : walked) {
        incoming.forEachInto(
            node.node,
            row -> {
              if (live.get(row) && seen.add(row)) {
                best.offer(row, rows.dot(probe, row));
              }
            });
      }
      return best.rows();
    }
  }

  /**
   * Scores of one vector against rows, on the gallery's SIMD kernels (jvector's own inner product
   * is scalar before Java 20).
   */
  private SearchScoreProvider scorer(float[] vector) {
    ScoreFunction.ExactScoreFunction score = node -> scaled(rows.dot(vector, node));
    return new DefaultSearchScoreProvider(score);
  }

  /** An inner product as jvector's dot-product similarity scales it: (1 + cos) / 2. */
  private static float scaled(float dot) {
    return (1 + dot) / 2;
  }

  private static float unscaled(float score) {
    return 2 * score - 1;
  }

  /**
   * How the builder scores: every score read from the rows, none from a compressed copy (jvector's
   * "exact": nothing to re-rank).
   */
  private final class RowScores implements BuildScoreProvider {
    @Override
    public boolean isExact() {
      return true;
    }

    @Override
    public VectorFloat<?> approximateCentroid() {
      float[] sum = new float[rows.dimension()];
      int step = Math.max(1, rows.rows() / 10_000);
      float[] row = new float[sum.length];
      for (int r = 0; r < rows.rows(); r += step) {
        rows.read(r, row, 0);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += row[i];
        }
      }
      return VECTORS.createFloatVector(sum);
    }

    @Override
    public SearchScoreProvider searchProviderFor(VectorFloat<?> vector) {
      float[] copy = new float[vector.length()];
      for (int i = 0; i < copy.length; i++) {
        copy[i] = vector.get(i);
      }
      return scorer(copy);
    }

    /**
     * While a saved graph loads, the score of each edge as saved. jvector's loader reads every
     * edge's saved score and then discards it to score the edge again, on one thread: two thirds of
     * the time of opening a saved gallery of a million (a profile's samples), most of it at ten
     * million. The score it asks for is the float it has just read. The edges of one node in 1,024
     * are scored again as a check, so a loader that read in another order fails the load (and the
     * graph is rebuilt) rather than mixing up scores.
     */
    @Override
    public SearchScoreProvider searchProviderFor(int node) {
      GraphFileReader saved = loading;
      if (saved == null) {
        return scorer(rows.read(node));
      }
      float[] check = node % 1024 == 0 ? rows.read(node) : null;
      ScoreFunction.ExactScoreFunction score =
          edge -> {
            float s = saved.lastFloat();
            if (check != null && Math.abs(s - scaled(rows.dot(check, edge))) > 1e-4f) {
              throw new IllegalStateException(
                  "the saved score of the edge " + node + " -> " + edge + " is not its score");
            }
            return s;
          };
      return new DefaultSearchScoreProvider(score);
    }

    @Override
    public SearchScoreProvider diversityProviderFor(int node) {
      return scorer(rows.read(node));
    }
  }
}
