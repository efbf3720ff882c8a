package dev.semblance.internal.cluster;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Average-linkage agglomeration on the neighbour graph: repeatedly join the two adjacent clusters
 * with the highest mean pairwise similarity while it reaches the cut-off. The graph only proposes
 * which clusters to compare; the mean is exact, over every pair, from the clusters' vector sums. So
 * one stray edge between two people cannot join them: their mean stays low. Incremental: only
 * clusters touched by the faces from {@code from} on are compared. Not thread-safe.
 */
public final class AverageLinkage {
  private AverageLinkage() {}

  private record Candidate(double linkage, int a, int b, int versionA, int versionB) {}

  public static void update(FaceGraph graph, Partition partition, int from) {
    double cutOff = graph.threshold();
    PriorityQueue<Candidate> queue =
        new PriorityQueue<>((x, y) -> Double.compare(y.linkage(), x.linkage()));
    Set<Long> proposed = new HashSet<>();
    for (int i = from; i < graph.size(); i++) {
      for (int e = 0; e < graph.degree(i); e++) {
        int a = partition.clusterOf(i);
        int b = partition.clusterOf(graph.neighbour(i, e));
        if (a != b && proposed.add(pairKey(a, b))) {
          offer(queue, partition, a, b, cutOff);
        }
      }
    }
    while (!queue.isEmpty()) {
      Candidate c = queue.poll();
      if (!current(partition, c)) {
        continue;
      }
      if (!partition.canMerge(c.a(), c.b())) {
        continue;
      }
      int merged = partition.merge(c.a(), c.b());
      Set<Integer> adjacent = new HashSet<>();
      for (int face : partition.members(merged)) {
        for (int e = 0; e < graph.degree(face); e++) {
          int other = partition.clusterOf(graph.neighbour(face, e));
          if (other != merged && adjacent.add(other)) {
            offer(queue, partition, merged, other, cutOff);
          }
        }
      }
    }
  }

  private static void offer(
      PriorityQueue<Candidate> queue, Partition partition, int a, int b, double cutOff) {
    double linkage = partition.linkage(a, b);
    if (linkage >= cutOff) {
      queue.add(new Candidate(linkage, a, b, partition.version(a), partition.version(b)));
    }
  }

  private static boolean current(Partition partition, Candidate c) {
    return partition.exists(c.a())
        && partition.exists(c.b())
        && partition.version(c.a()) == c.versionA()
        && partition.version(c.b()) == c.versionB();
  }

  private static long pairKey(int a, int b) {
    return ((long) Math.min(a, b) << 32) | Math.max(a, b);
  }
}
