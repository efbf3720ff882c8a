package dev.semblance.internal.cluster;

import dev.semblance.internal.gallery.Parallel;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.internal.vector.VectorKernels;
import dev.semblance.spi.NeighbourSearch;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faces being clustered and their similarity graph: each face is joined to its {@code k} most
 * similar faces at or above the cut-off, both ways. Neighbours are found by an exact blocked scan
 * with the gallery's SIMD kernel, a block of new faces against every earlier face, so no N × N
 * matrix is ever held and adding faces only scans for the new ones. Past {@code indexAbove} faces,
 * when a {@link NeighbourSearch} is installed, a graph index shortlists each new face's neighbours
 * instead and the kernel scores the shortlist: the scan's cost grows with the square of the faces,
 * the index's about linearly. An exact search (a GPU's) is preferred to an approximate one. Not
 * thread-safe.
 */
public final class FaceGraph {
  private static final Logger log = LoggerFactory.getLogger(FaceGraph.class);

  /** Faces scored together against each block of earlier faces while both are in cache. */
  private static final int BLOCK = 64;

  private static final int[] NO_NEIGHBOURS = {};
  private static final float[] NO_WEIGHTS = {};

  private final int dimension;
  private final int neighbours;
  private final float threshold;
  private final int indexAbove;
  private NeighbourSearch.Index index;
  private final VectorKernels kernels = Kernels.get();
  private float[] vectors = new float[0];
  private boolean[] clusterable = new boolean[0];
  private int[][] adjacent = new int[0][];
  private float[][] weight = new float[0][];
  private int[] degree = new int[0];
  private int size;

  public FaceGraph(int dimension, int neighbours, float threshold) {
    this(dimension, neighbours, threshold, Integer.MAX_VALUE);
  }

  /**
   * A graph whose neighbours come from a graph index once it holds more than {@code indexAbove}.
   */
  public FaceGraph(int dimension, int neighbours, float threshold, int indexAbove) {
    this.dimension = dimension;
    this.neighbours = neighbours;
    this.threshold = threshold;
    this.indexAbove = indexAbove;
  }

  public int dimension() {
    return dimension;
  }

  public float threshold() {
    return threshold;
  }

  public int size() {
    return size;
  }

  /** Stores a unit vector; faces that are not clusterable get no edges. Returns its index. */
  public int add(float[] unitVector, boolean isClusterable) {
    if (size == degree.length) {
      int capacity = Math.max(16, size + (size >> 1));
      vectors = Arrays.copyOf(vectors, capacity * dimension);
      clusterable = Arrays.copyOf(clusterable, capacity);
      adjacent = Arrays.copyOf(adjacent, capacity);
      weight = Arrays.copyOf(weight, capacity);
      degree = Arrays.copyOf(degree, capacity);
    }
    System.arraycopy(unitVector, 0, vectors, size * dimension, dimension);
    clusterable[size] = isClusterable;
    adjacent[size] = NO_NEIGHBOURS;
    weight[size] = NO_WEIGHTS;
    return size++;
  }

  public boolean isClusterable(int face) {
    return clusterable[face];
  }

  /**
   * Finds the neighbours of faces {@code from} (inclusive) to {@link #size()} among all faces and
   * adds the edges. Runs on the calling thread and the common fork-join pool.
   *
   * <p>Each pair of new faces is scored once: the task of a block of new faces scores it against
   * the earlier faces, itself, and the later blocks of new faces; a later face's offers are kept
   * per thread and merged into its own list at the end, which gives the same k nearest as scoring
   * both ways.
   */
  public void connect(int from) {
    Optional<NeighbourSearch> search =
        size > indexAbove ? choose(Searches.INSTALLED, dimension) : Optional.empty();
    Nearest[] nearest = search.isPresent() ? searchIndex(from, search.get()) : scan(from);
    link(from, nearest);
  }

  /** Each new face's nearest faces at the cut-off, by the exact blocked scan. */
  private Nearest[] scan(int from) {
    int to = size;
    int count = to - from;
    int blocks = (count + BLOCK - 1) / BLOCK;
    Nearest[] nearest = new Nearest[count];
    Map<Thread, Nearest[]> laterOffers = new ConcurrentHashMap<>();
    Parallel.run(
        blocks,
        ForkJoinPool.commonPool(),
        ForkJoinPool.getCommonPoolParallelism(),
        b -> {
          Nearest[] later =
              laterOffers.computeIfAbsent(Thread.currentThread(), t -> new Nearest[count]);
          searchBlock(from, from + b * BLOCK, Math.min(to, from + (b + 1) * BLOCK), nearest, later);
        });
    for (Nearest[] later : laterOffers.values()) {
      for (int i = 0; i < count; i++) {
        if (later[i] != null) {
          later[i].offerAllTo(nearest[i]);
        }
      }
    }
    return nearest;
  }

  /**
   * Each new face's nearest faces at the cut-off among those the index shortlists (twice the
   * neighbours asked for, as some may be below the cut-off or not clusterable), scored exactly.
   */
  private Nearest[] searchIndex(int from, NeighbourSearch search) {
    if (index == null) {
      index = search.create(dimension);
      log.info(
          "clustering {} faces: neighbours from the {} {} index",
          size,
          search.isExact() ? "exact" : "approximate",
          search.name());
      index.add(vectors, 0, from, 0); // their neighbours are known already
    }
    int[][] shortlists = index.add(vectors, from, size - from, 2 * neighbours);
    Nearest[] nearest = new Nearest[size - from];
    Parallel.run(
        nearest.length,
        ForkJoinPool.commonPool(),
        ForkJoinPool.getCommonPoolParallelism(),
        q -> {
          int i = from + q;
          nearest[q] = new Nearest(neighbours);
          if (!clusterable[i]) {
            return;
          }
          for (int j : shortlists[q]) {
            if (j != i && clusterable[j]) {
              float s =
                  Math.min(
                      1f, kernels.dot(vectors, i * dimension, vectors, j * dimension, dimension));
              if (s >= threshold) {
                nearest[q].offer(j, s);
              }
            }
          }
        });
    return nearest;
  }

  /** Joins each new face to its nearest, both ways. */
  private void link(int from, Nearest[] nearest) {
    int to = size;
    int count = to - from;
    int[][] found = new int[count][];
    float[][] foundWeight = new float[count][];
    for (int i = 0; i < count; i++) {
      found[i] = nearest[i].keys();
      foundWeight[i] = nearest[i].scores();
    }
    for (int i = from; i < to; i++) {
      int[] hits = found[i - from];
      for (int h = 0; h < hits.length; h++) {
        int j = hits[h];
        // A pair found from both ends is added once, by its smaller end.
        if (j >= from && j < i && contains(found[j - from], i)) {
          continue;
        }
        link(i, j, foundWeight[i - from][h]);
        link(j, i, foundWeight[i - from][h]);
      }
    }
  }

  /**
   * Scores new faces q0..q1 against the earlier faces, themselves and the later new faces, keeping
   * each one's nearest at the cut-off; a later face's offer goes to {@code later}, this thread's.
   */
  private void searchBlock(int from, int q0, int q1, Nearest[] nearest, Nearest[] later) {
    int queries = q1 - q0;
    float[] scores = new float[BLOCK * BLOCK];
    float[] queryRows = Arrays.copyOfRange(vectors, q0 * dimension, q1 * dimension);
    for (int q = 0; q < queries; q++) {
      nearest[q0 + q - from] = new Nearest(neighbours);
    }
    for (int r0 = 0; r0 < from; r0 += BLOCK) {
      scoreTile(
          q0, queries, queryRows, r0, Math.min(BLOCK, from - r0), scores, nearest, from, null);
    }
    for (int r0 = q0; r0 < size; r0 += BLOCK) {
      // The block's own tile holds both orders of each pair; later tiles only one.
      scoreTile(
          q0,
          queries,
          queryRows,
          r0,
          Math.min(BLOCK, size - r0),
          scores,
          nearest,
          from,
          r0 == q0 ? null : later);
    }
  }

  private void scoreTile(
      int q0,
      int queries,
      float[] queryRows,
      int r0,
      int rows,
      float[] scores,
      Nearest[] nearest,
      int from,
      Nearest[] later) {
    kernels.dotBlock(queryRows, queries, vectors, r0 * dimension, rows, dimension, scores);
    for (int q = 0; q < queries; q++) {
      int i = q0 + q;
      if (!clusterable[i]) {
        continue;
      }
      for (int r = 0; r < rows; r++) {
        float s = Math.min(1f, scores[q * rows + r]);
        int j = r0 + r;
        if (s >= threshold && j != i && clusterable[j]) {
          nearest[i - from].offer(j, s);
          if (later != null) {
            if (later[j - from] == null) {
              later[j - from] = new Nearest(neighbours);
            }
            later[j - from].offer(i, s);
          }
        }
      }
    }
  }

  /** The installed neighbour searches, found once. */
  private static final class Searches {
    static final List<NeighbourSearch> INSTALLED =
        ServiceLoader.load(NeighbourSearch.class).stream()
            .map(ServiceLoader.Provider::get)
            .toList();
  }

  /** The first exact search of those that can run here, else the first approximate one. */
  static Optional<NeighbourSearch> choose(List<NeighbourSearch> installed, int dimension) {
    return installed.stream()
        .filter(s -> s.isAvailableFor(dimension))
        .min(Comparator.comparing(s -> !s.isExact()));
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  private void link(int from, int to, float similarity) {
    int d = degree[from];
    if (d == adjacent[from].length) {
      adjacent[from] = Arrays.copyOf(adjacent[from], Math.max(4, d * 2));
      weight[from] = Arrays.copyOf(weight[from], Math.max(4, d * 2));
    }
    adjacent[from][d] = to;
    weight[from][d] = similarity;
    degree[from] = d + 1;
  }

  /** The number of edges of a face. */
  public int degree(int face) {
    return degree[face];
  }

  /** The {@code e}-th neighbour of a face. */
  public int neighbour(int face, int e) {
    return adjacent[face][e];
  }

  /** The similarity on the {@code e}-th edge of a face. */
  public float weight(int face, int e) {
    return weight[face][e];
  }

  /** The faces' vectors, one row of {@link #dimension()} floats each; read only. */
  float[] vectors() {
    return vectors;
  }

  /** A copy of one face's vector. */
  public float[] vector(int face) {
    return Arrays.copyOfRange(vectors, face * dimension, (face + 1) * dimension);
  }

  /** The dot product of a vector with a face's, with the SIMD kernel. */
  public float dotWith(float[] vector, int face) {
    return kernels.dot(vector, 0, vectors, face * dimension, dimension);
  }

  /** Σ a[aOffset + i] · b[bOffset + i] with the SIMD kernel. */
  float dot(float[] a, int aOffset, float[] b, int bOffset) {
    return kernels.dot(a, aOffset, b, bOffset, dimension);
  }

  /** Writes every face's vector and whether it is clusterable, then every face's edges. */
  public void writeTo(DataOutputStream out) throws IOException {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      out.writeBoolean(clusterable[i]);
      for (int d = 0; d < dimension; d++) {
        out.writeFloat(vectors[i * dimension + d]);
      }
    }
    for (int i = 0; i < size; i++) {
      out.writeInt(degree[i]);
      for (int e = 0; e < degree[i]; e++) {
        out.writeInt(adjacent[i][e]);
        out.writeFloat(weight[i][e]);
      }
    }
  }

  /**
   * Reads what {@link #writeTo} wrote, checking every count and index.
   *
   * @throws IOException if the data is cut short or out of range
   */
  public static FaceGraph readFrom(
      DataInputStream in, int dimension, int neighbours, float threshold, int indexAbove)
      throws IOException {
    FaceGraph graph = new FaceGraph(dimension, neighbours, threshold, indexAbove);
    int count = in.readInt();
    check(count >= 0, "face count " + count);
    float[] v = new float[dimension];
    for (int i = 0; i < count; i++) {
      boolean isClusterable = in.readBoolean();
      for (int d = 0; d < dimension; d++) {
        v[d] = in.readFloat();
        check(Float.isFinite(v[d]), "face " + i + " has a non-finite component");
      }
      graph.add(v, isClusterable);
    }
    for (int i = 0; i < count; i++) {
      int d = in.readInt();
      check(d >= 0 && d <= count, "face " + i + " has " + d + " edges");
      for (int e = 0; e < d; e++) {
        int j = in.readInt();
        float w = in.readFloat();
        check(j >= 0 && j < count && j != i, "face " + i + " has an edge to " + j);
        graph.link(i, j, w);
      }
    }
    return graph;
  }

  private static void check(boolean ok, String what) throws StreamCorruptedException {
    if (!ok) {
      throw new StreamCorruptedException(what);
    }
  }

  /** The k best (key, score) offers: a min-heap on score. */
  private static final class Nearest {
    private final int[] key;
    private final float[] score;
    private int size;

    Nearest(int k) {
      key = new int[k];
      score = new float[k];
    }

    void offer(int k0, float s) {
      if (size < key.length) {
        int i = size++;
        while (i > 0 && score[(i - 1) / 2] > s) {
          key[i] = key[(i - 1) / 2];
          score[i] = score[(i - 1) / 2];
          i = (i - 1) / 2;
        }
        key[i] = k0;
        score[i] = s;
      } else if (s > score[0]) {
        int i = 0;
        while (true) {
          int c = 2 * i + 1;
          if (c >= size) {
            break;
          }
          if (c + 1 < size && score[c + 1] < score[c]) {
            c++;
          }
          if (score[c] >= s) {
            break;
          }
          key[i] = key[c];
          score[i] = score[c];
          i = c;
        }
        key[i] = k0;
        score[i] = s;
      }
    }

    void offerAllTo(Nearest other) {
      for (int i = 0; i < size; i++) {
        other.offer(key[i], score[i]);
      }
    }

    int[] keys() {
      return Arrays.copyOf(key, size);
    }

    float[] scores() {
      return Arrays.copyOf(score, size);
    }
  }
}
