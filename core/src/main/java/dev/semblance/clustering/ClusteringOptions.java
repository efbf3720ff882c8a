package dev.semblance.clustering;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of {@link FaceClusters}; serializable, so that Spark tasks can carry them. The defaults
 * were chosen on the images of LFW's DevTrain pairs only (see {@code docs/clustering.md}).
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param method how the graph becomes clusters
 * @param pairwiseFmr the false match rate of one comparison at the similarity cut-off, read from a
 *     {@code Calibration}; the expected number of false edges grows with the square of the number
 *     of faces, which the average-linkage method tolerates and the others do not
 * @param neighbours how many nearest faces each face is compared with for joining
 * @param minClusterSize unnamed clusters smaller than this are reported as noise
 * @param minQuality faces whose quality is known and below this are left out as noise
 * @param indexAbove once more faces than this are clustered, their neighbours come from a graph
 *     index ({@link dev.semblance.spi.NeighbourSearch}, e.g. module {@code semblance-graph}) when
 *     one is on the class path, instead of the exact scan
 */
public record ClusteringOptions(
    ClusterMethod method,
    double pairwiseFmr,
    int neighbours,
    int minClusterSize,
    double minQuality,
    int indexAbove)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default method. */
  public static final ClusterMethod DEFAULT_METHOD = ClusterMethod.AVERAGE_LINKAGE;

  /** The default pairwise false match rate of the cut-off. */
  public static final double DEFAULT_PAIRWISE_FMR = 1e-5;

  /** The default number of neighbours per face. */
  public static final int DEFAULT_NEIGHBOURS = 32;

  /**
   * Faces clustered by the exact scan before a graph index takes over, by default: where building
   * the index costs about what the scan does on this project's VM (docs/clustering.md).
   */
  public static final int DEFAULT_INDEX_ABOVE = 100_000;

  public ClusteringOptions {
    Objects.requireNonNull(method, "method");
    checkArgument(
        pairwiseFmr > 0 && pairwiseFmr < 1, "pairwise FMR must be in (0, 1): %s", pairwiseFmr);
    checkArgument(
        neighbours >= 1 && neighbours <= 1024, "neighbours must be in [1, 1024]: %s", neighbours);
    checkArgument(
        minClusterSize >= 1, "minimum cluster size must be at least 1: %s", minClusterSize);
    checkArgument(!Double.isNaN(minQuality), "minimum quality must not be NaN");
    checkArgument(indexAbove >= 0, "indexAbove must not be negative: %s", indexAbove);
  }

  /** Options with the default {@link #indexAbove()}. */
  public ClusteringOptions(
      ClusterMethod method,
      double pairwiseFmr,
      int neighbours,
      int minClusterSize,
      double minQuality) {
    this(method, pairwiseFmr, neighbours, minClusterSize, minQuality, DEFAULT_INDEX_ABOVE);
  }

  /** Average linkage at the default FMR and neighbours; clusters of one face are noise. */
  public static ClusteringOptions defaults() {
    return new ClusteringOptions(
        DEFAULT_METHOD,
        DEFAULT_PAIRWISE_FMR,
        DEFAULT_NEIGHBOURS,
        2,
        Double.NEGATIVE_INFINITY,
        DEFAULT_INDEX_ABOVE);
  }

  public ClusteringOptions withMethod(ClusterMethod m) {
    return new ClusteringOptions(
        m, pairwiseFmr, neighbours, minClusterSize, minQuality, indexAbove);
  }

  public ClusteringOptions withPairwiseFmr(double fmr) {
    return new ClusteringOptions(method, fmr, neighbours, minClusterSize, minQuality, indexAbove);
  }

  public ClusteringOptions withNeighbours(int k) {
    return new ClusteringOptions(method, pairwiseFmr, k, minClusterSize, minQuality, indexAbove);
  }

  public ClusteringOptions withMinClusterSize(int size) {
    return new ClusteringOptions(method, pairwiseFmr, neighbours, size, minQuality, indexAbove);
  }

  public ClusteringOptions withMinQuality(double quality) {
    return new ClusteringOptions(
        method, pairwiseFmr, neighbours, minClusterSize, quality, indexAbove);
  }

  /** Neighbours from a graph index once more than {@code faces} faces are clustered. */
  public ClusteringOptions withIndexAbove(int faces) {
    return new ClusteringOptions(
        method, pairwiseFmr, neighbours, minClusterSize, minQuality, faces);
  }
}
