package dev.semblance.clustering;

/**
 * How faces joined by the neighbour graph become clusters. All three run on the same graph (each
 * face's nearest neighbours at or above the cut-off) and the same cut-off; {@code
 * docs/clustering.md} compares them on LFW.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public enum ClusterMethod {
  /** Single linkage: one edge joins two clusters. The classic baseline, prone to chaining. */
  CONNECTED_COMPONENTS,
  /** Chinese Whispers, dlib's face clustering: weighted label propagation on the graph. */
  CHINESE_WHISPERS,
  /**
   * Average linkage: join adjacent clusters while the mean similarity over all their pairs of faces
   * reaches the cut-off. The default: a stray edge cannot join two people.
   */
  AVERAGE_LINKAGE
}
