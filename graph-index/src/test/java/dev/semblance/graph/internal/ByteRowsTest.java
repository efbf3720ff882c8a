package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.UnitVectors;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class ByteRowsTest {
  /** Rows made on several threads, a chunk each, are the rows appended one by one. */
  @Test
  void rowsMadeInParallelEqualRowsAppendedInTurn() {
    int dim = 8;
    int n = 40_000; // two full chunks of 16,384 rows and part of a third
    float[] packed = new float[n * dim];
    UnitVectors vectors = new UnitVectors(3, dim);
    for (int r = 0; r < n; r++) {
      System.arraycopy(vectors.random().toArray(), 0, packed, r * dim, dim);
    }
    ByteRows inTurn = new ByteRows(dim);
    for (int r = 0; r < n; r += 7) {
      inTurn.append(packed, r, Math.min(7, n - r));
    }
    ForkJoinPool pool = new ForkJoinPool(4);
    try {
      ByteRows parallel =
          ByteRows.of(
              (first, count, into, offset) ->
                  System.arraycopy(packed, first * dim, into, offset, count * dim),
              dim,
              n,
              pool);
      assertThat(parallel.rows()).isEqualTo(n);
      float[] a = new float[dim], b = new float[dim];
      for (int r = 0; r < n; r++) {
        inTurn.read(r, a, 0);
        parallel.read(r, b, 0);
        assertThat(b).as("row %s", r).containsExactly(a);
      }
    } finally {
      pool.shutdown();
    }
  }
}
