package dev.semblance.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The graph's edges equal a brute-force k-nearest search, however the faces arrive in batches. */
class FaceGraphTest {
  private static final int DIMENSION = 24;
  private static final int K = 5;
  private static final float CUT_OFF = 0.15f;

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void edgesAreTheUnionOfEveryFacesKNearestAtTheCutOff(int batches) {
    int n = 333; // blocks of 64 that batches do not align with
    float[][] v = new float[n][DIMENSION];
    Random random = new Random(11);
    for (float[] row : v) {
      double norm = 0;
      for (int d = 0; d < DIMENSION; d++) {
        row[d] = (float) random.nextGaussian();
        norm += row[d] * row[d];
      }
      for (int d = 0; d < DIMENSION; d++) {
        row[d] /= (float) Math.sqrt(norm);
      }
    }
    boolean[] clusterable = new boolean[n];
    for (int i = 0; i < n; i++) {
      clusterable[i] = i % 17 != 3;
    }
    FaceGraph graph = new FaceGraph(DIMENSION, K, CUT_OFF);
    int added = 0;
    for (int b = 1; b <= batches; b++) {
      int until = b * n / batches;
      int from = added;
      for (; added < until; added++) {
        graph.add(v[added], clusterable[added]);
      }
      graph.connect(from);
    }

    // Brute force, the same way incrementally: a face's neighbours are chosen among the faces
    // present when it was added, and each such choice is an edge both ways.
    Set<Long> expected = new HashSet<>();
    int start = 0;
    for (int b = 1; b <= batches; b++) {
      int until = b * n / batches;
      for (int i = start; i < until; i++) {
        if (!clusterable[i]) {
          continue;
        }
        List<Integer> candidates = new ArrayList<>();
        for (int j = 0; j < until; j++) {
          if (j != i && clusterable[j] && dot(v[i], v[j]) >= CUT_OFF) {
            candidates.add(j);
          }
        }
        int self = i;
        candidates.sort(Comparator.comparingDouble(j -> -dot(v[self], v[j])));
        for (int j : candidates.subList(0, Math.min(K, candidates.size()))) {
          expected.add(key(i, j));
        }
      }
      start = until;
    }
    Set<Long> actual = new HashSet<>();
    for (int i = 0; i < n; i++) {
      for (int e = 0; e < graph.degree(i); e++) {
        int j = graph.neighbour(i, e);
        assertThat(graph.weight(i, e)).isCloseTo(dot(v[i], v[j]), offset(1e-5f));
        actual.add(key(i, j));
      }
    }
    assertThat(expected).hasSizeGreaterThan(n);
    assertThat(actual).isEqualTo(expected);
  }

  private static long key(int a, int b) {
    return ((long) Math.min(a, b) << 32) | Math.max(a, b);
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int d = 0; d < a.length; d++) {
      s += a[d] * b[d];
    }
    return s;
  }
}
