package dev.semblance.spi;

/**
 * Approximate nearest neighbours among many faces at once, for clustering sets of faces too large
 * for the exact scan, whose cost grows with the square of their number. Implementations register
 * through {@link java.util.ServiceLoader} in {@code
 * META-INF/services/dev.semblance.spi.NeighbourSearch} (module {@code semblance-graph} does);
 * {@code FaceClusters} uses one once it holds more faces than {@code
 * ClusteringOptions#indexAbove()}: an {@linkplain #isExact() exact} one if any is available, else
 * the first one found.
 *
 * <p>An index only shortlists: the clustering scores each neighbour it names exactly and keeps
 * those at its cut-off, so with an approximate index a face may miss a neighbour the exact scan
 * finds, never gain a false one; with an exact index it finds the same neighbours (unless faces
 * that are not clusterable fill more than half of the twice-k shortlist it asks for).
 *
 * <p><b>Thread safety.</b> Implementations must be safe for concurrent use; an {@link Index} is
 * used by one thread at a time (it may use many inside one call).
 */
public interface NeighbourSearch {
  /** A short name for logs, e.g. {@code "jvector"}. */
  String name();

  /** Whether this search can run here on vectors of this dimension (a GPU may be missing). */
  default boolean isAvailableFor(int dimension) {
    return true;
  }

  /**
   * Whether every shortlist holds the rows with the highest inner products exactly (it may hold
   * more), so that clustering on it equals the exact scan's.
   */
  default boolean isExact() {
    return false;
  }

  /** An empty index of {@code dimension}-d unit vectors. */
  Index create(int dimension);

  /** Rows numbered from 0 in the order they are added. */
  interface Index extends AutoCloseable {
    /**
     * Adds {@code count} rows packed in {@code vectors} from row {@code first} on, as rows {@link
     * #size()} onwards, and returns for each of them up to {@code neighbours} other rows with the
     * highest inner products with it, best first, approximately (none when {@code neighbours} is
     * 0). An exact search may name more, and the row itself. A pair of rows added in the same call
     * may be named from one end only: callers join neighbours both ways.
     */
    int[][] add(float[] vectors, int first, int count, int neighbours);

    int size();

    /** Frees the index; idempotent. */
    @Override
    void close();
  }
}
