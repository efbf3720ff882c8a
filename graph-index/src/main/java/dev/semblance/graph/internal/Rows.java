package dev.semblance.graph.internal;

/**
 * Unit vectors numbered from 0 that a {@link NeighbourGraph} scores: {@link ByteRows}, a copy of a
 * gallery's templates or the faces being clustered.
 *
 * <p>Thread safety: reads may run concurrently.
 */
interface Rows {
  int dimension();

  int rows();

  /** Row {@code row} copied into {@code into} from offset {@code offset}. */
  void read(int row, float[] into, int offset);

  /** The inner product of {@code vector} and row {@code row}. */
  float dot(float[] vector, int row);

  default float[] read(int row) {
    float[] v = new float[dimension()];
    read(row, v, 0);
    return v;
  }
}
