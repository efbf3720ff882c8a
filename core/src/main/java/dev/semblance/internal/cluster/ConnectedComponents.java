package dev.semblance.internal.cluster;

/**
 * Single linkage: two faces joined by an edge are in one cluster. The classic baseline; one false
 * edge chains two people together, so its cut-off must be strict. Not thread-safe.
 */
public final class ConnectedComponents {
  private ConnectedComponents() {}

  /** Merges along every edge of the faces from {@code from} on. */
  public static void update(FaceGraph graph, Partition partition, int from) {
    for (int i = from; i < graph.size(); i++) {
      for (int e = 0; e < graph.degree(i); e++) {
        int a = partition.clusterOf(i);
        int b = partition.clusterOf(graph.neighbour(i, e));
        if (a != b && partition.canMerge(a, b)) {
          partition.merge(a, b);
        }
      }
    }
  }
}
