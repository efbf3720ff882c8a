package dev.semblance.spi;

/**
 * A device-resident copy of a gallery's rows, kept in the same order as the CPU's: the gallery
 * appends, moves and truncates rows here exactly as it does in memory.
 *
 * <p><b>Thread safety.</b> The gallery serialises changes and lets searches run concurrently with
 * each other (not with changes); {@link #close()} may be called once, after all use.
 */
public interface AcceleratedIndex extends AutoCloseable {
  /** Adds {@code vector} as row {@link #rowCount()}. */
  void append(float[] vector);

  /** Row {@code to} takes the vector of row {@code from} (a removal, truncated afterwards). */
  void move(int from, int to);

  /** Drops the rows from {@code rowCount} on. */
  void truncate(int rowCount);

  int rowCount();

  /**
   * For each query, the {@code candidates} rows with the highest inner products, best first, and a
   * bound on every other row's score. An index whose scores round more coarsely may list more rows
   * (all that its rounding could have placed among the best), never fewer.
   */
  Candidates[] search(float[][] queries, int candidates);

  /** The most a score of {@link #search} may differ from the exact float inner product. */
  float errorBound();

  /** Releases the device memory; idempotent. */
  @Override
  void close();

  /**
   * Shortlisted rows of one query.
   *
   * @param rows row numbers, best first
   * @param scores their approximate scores
   * @param excludedBound no row outside {@code rows} scores, exactly, above this plus {@link
   *     #errorBound()}; {@code -Infinity} when every row is listed
   */
  record Candidates(int[] rows, float[] scores, float excludedBound) {}
}
