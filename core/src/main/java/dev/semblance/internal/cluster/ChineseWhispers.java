package dev.semblance.internal.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Chinese Whispers (Biemann 2006; dlib's face clustering): in rounds, in random order, each face
 * takes the cluster that weighs most among its neighbours, the weight being the similarity. Only
 * the faces from {@code from} on move, so earlier clusters keep their faces; a face in a named
 * cluster stays there. A fixed seed makes runs repeatable. Not thread-safe.
 */
public final class ChineseWhispers {
  private static final int MAX_ROUNDS = 100;
  private static final long SEED = 0x5eb1a7ceL;

  private ChineseWhispers() {}

  public static void update(FaceGraph graph, Partition partition, int from) {
    int count = graph.size() - from;
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = from + i;
    }
    Random random = new Random(SEED);
    Map<Integer, Double> weightOf = new HashMap<>();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      shuffle(order, random);
      int moved = 0;
      for (int face : order) {
        int current = partition.clusterOf(face);
        if (graph.degree(face) == 0 || partition.name(current) != null) {
          continue;
        }
        weightOf.clear();
        for (int e = 0; e < graph.degree(face); e++) {
          weightOf.merge(
              partition.clusterOf(graph.neighbour(face, e)),
              (double) graph.weight(face, e),
              Double::sum);
        }
        int best = current;
        double bestWeight = weightOf.getOrDefault(current, 0.0);
        for (Map.Entry<Integer, Double> w : weightOf.entrySet()) {
          if (w.getValue() > bestWeight || (w.getValue() == bestWeight && w.getKey() < best)) {
            best = w.getKey();
            bestWeight = w.getValue();
          }
        }
        if (best != current) {
          partition.move(face, best);
          moved++;
        }
      }
      if (moved == 0) {
        break;
      }
    }
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
