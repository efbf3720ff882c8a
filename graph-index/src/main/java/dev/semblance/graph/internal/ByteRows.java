package dev.semblance.graph.internal;

import dev.semblance.InnerProducts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Rows kept on the heap as signed bytes with a scale per row, in chunks of 2^14 rows, for a graph
 * that only shortlists: a quarter of float32's memory, and a search that walks a million rows waits
 * for a quarter of the cache lines. The error of a score is about 10^-3, far below the gaps a
 * shortlist decides on; the caller re-scores the shortlist on its float32 vectors.
 *
 * <p>Thread safety: appends must not overlap other calls; reads run concurrently.
 */
final class ByteRows implements Rows {
  private static final int CHUNK_SHIFT = 14;
  private static final int CHUNK = 1 << CHUNK_SHIFT;

  private final int dimension;
  private final List<byte[]> chunks = new ArrayList<>();
  private final List<float[]> scales = new ArrayList<>();
  private int rows;

  ByteRows(int dimension) {
    this.dimension = dimension;
  }

  /**
   * Where rows are read from: rows {@code first} on, {@code count} of them, packed into {@code
   * into}.
   */
  interface Source {
    void read(int first, int count, float[] into, int offset);
  }

  /**
   * The first {@code count} rows of {@code source}, a chunk per task on {@code pool}'s threads: a
   * large gallery's opening waits for all of them.
   */
  static ByteRows of(Source source, int dimension, int count, ForkJoinPool pool) {
    ByteRows bytes = new ByteRows(dimension);
    bytes.reserve(count);
    int block = 1024;
    pool.submit(
            () ->
                IntStream.range(0, bytes.chunks.size())
                    .parallel()
                    .forEach(
                        chunk -> {
                          float[] packed = new float[block * dimension];
                          int end = Math.min(count, (chunk + 1) << CHUNK_SHIFT);
                          for (int first = chunk << CHUNK_SHIFT; first < end; first += block) {
                            int n = Math.min(block, end - first);
                            source.read(first, n, packed, 0);
                            for (int r = 0; r < n; r++) {
                              bytes.put(first + r, packed, r * dimension);
                            }
                          }
                        }))
        .join();
    bytes.rows = count;
    return bytes;
  }

  /** Appends {@code count} rows packed in {@code vectors} from row {@code first} on. */
  void append(float[] vectors, int first, int count) {
    reserve(rows + count);
    for (int r = 0; r < count; r++) {
      put(rows + r, vectors, (first + r) * dimension);
    }
    rows += count;
  }

  /** Chunks for rows up to {@code count - 1}. */
  private void reserve(int count) {
    while ((long) chunks.size() << CHUNK_SHIFT < count) {
      chunks.add(new byte[CHUNK * dimension]);
      scales.add(new float[CHUNK]);
    }
  }

  /** Row {@code row} set to the vector in {@code vectors} from {@code from}. */
  private void put(int row, float[] vectors, int from) {
    float max = 0;
    for (int i = 0; i < dimension; i++) {
      max = Math.max(max, Math.abs(vectors[from + i]));
    }
    float scale = max / 127f;
    byte[] chunk = chunks.get(row >>> CHUNK_SHIFT);
    int to = (row & (CHUNK - 1)) * dimension;
    for (int i = 0; i < dimension; i++) {
      chunk[to + i] = (byte) (scale == 0 ? 0 : Math.round(vectors[from + i] / scale));
    }
    scales.get(row >>> CHUNK_SHIFT)[row & (CHUNK - 1)] = scale;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public float dot(float[] vector, int row) {
    int chunk = row >>> CHUNK_SHIFT, at = row & (CHUNK - 1);
    return scales.get(chunk)[at]
        * InnerProducts.dotBytes(vector, chunks.get(chunk), at * dimension, dimension);
  }

  @Override
  public void read(int row, float[] into, int offset) {
    int chunk = row >>> CHUNK_SHIFT, at = row & (CHUNK - 1);
    InnerProducts.unpackBytes(
        chunks.get(chunk), at * dimension, scales.get(chunk)[at], into, offset, dimension);
  }
}
