package dev.semblance.graph.internal;

import dev.semblance.InnerProducts;
import java.util.ArrayList;
import java.util.List;

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

  /** Appends {@code count} rows packed in {@code vectors} from row {@code first} on. */
  void append(float[] vectors, int first, int count) {
    for (int r = 0; r < count; r++) {
      int row = rows + r;
      if ((row >>> CHUNK_SHIFT) == chunks.size()) {
        chunks.add(new byte[CHUNK * dimension]);
        scales.add(new float[CHUNK]);
      }
      int from = (first + r) * dimension;
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
    rows += count;
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
