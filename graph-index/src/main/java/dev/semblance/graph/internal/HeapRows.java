package dev.semblance.graph.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows kept on the heap in chunks of 2^14 rows, so that millions of them never need one array and
 * appending never copies old rows.
 *
 * <p>Thread safety: appends must not overlap other calls; reads run concurrently.
 */
final class HeapRows implements Rows {
  private static final int CHUNK_SHIFT = 14;
  private static final int CHUNK = 1 << CHUNK_SHIFT;

  private final int dimension;
  private final List<float[]> chunks = new ArrayList<>();
  private int rows;

  HeapRows(int dimension) {
    this.dimension = dimension;
  }

  /** Appends {@code count} rows packed in {@code vectors} from row {@code first} on. */
  void append(float[] vectors, int first, int count) {
    for (int r = 0; r < count; r++) {
      int row = rows + r;
      if ((row >>> CHUNK_SHIFT) == chunks.size()) {
        chunks.add(new float[CHUNK * dimension]);
      }
      System.arraycopy(
          vectors,
          (first + r) * dimension,
          chunks.get(row >>> CHUNK_SHIFT),
          (row & (CHUNK - 1)) * dimension,
          dimension);
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
  public void read(int row, float[] into, int offset) {
    System.arraycopy(
        chunks.get(row >>> CHUNK_SHIFT), (row & (CHUNK - 1)) * dimension, into, offset, dimension);
  }
}
