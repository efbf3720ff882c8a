package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimilarityJoinTest {
  /** Clusters of near-duplicates, so that many pairs pass the threshold and many do not. */
  private static List<Embedding> clustered(int n, int dim, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < 20; c++) {
      float[] centre = new float[dim];
      for (int d = 0; d < dim; d++) {
        centre[d] = (float) (random.nextDouble() * 2 - 1);
      }
      centres.add(centre);
    }
    List<Embedding> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] centre = centres.get(random.nextInt(centres.size()));
      float[] v = new float[dim];
      for (int d = 0; d < dim; d++) {
        v[d] = (float) (centre[d] + 0.6 * (random.nextDouble() * 2 - 1));
      }
      out.add(Embedding.of(v));
    }
    return out;
  }

  @Test
  void withinFindsExactlyThePairsABruteForceFinds() {
    for (int n : new int[] {1, 63, 64, 65, 300}) {
      List<Embedding> all = clustered(n, 37, n);
      List<SimilarityJoin.Pair> pairs = SimilarityJoin.within(all, 0.5f);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          float s = all.get(i).similarity(all.get(j));
          if (Math.abs(s - 0.5f) > 1e-5f && s >= 0.5f) {
            expected.add(i + "-" + j);
          }
        }
      }
      List<String> found = new ArrayList<>();
      for (SimilarityJoin.Pair p : pairs) {
        assertThat(p.left()).isLessThan(p.right());
        assertThat(p.similarity())
            .isCloseTo(all.get(p.left()).similarity(all.get(p.right())), offset(1e-5f));
        if (Math.abs(p.similarity() - 0.5f) > 1e-5f) {
          found.add(p.left() + "-" + p.right());
        }
      }
      assertThat(found).as("n = %s", n).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void betweenScoresEveryLeftAgainstEveryRight() {
    List<Embedding> left = clustered(70, 16, 1);
    List<Embedding> right = clustered(130, 16, 2);
    List<SimilarityJoin.Pair> all = SimilarityJoin.between(left, right, -1f);
    assertThat(all).hasSize(70 * 130);
    assertThat(all.get(0))
        .extracting(SimilarityJoin.Pair::left, SimilarityJoin.Pair::right)
        .containsExactly(0, 0);
    assertThatThrownBy(() -> SimilarityJoin.between(left, clustered(3, 8, 3), 0f))
        .hasMessageContaining("dimension");
    assertThatThrownBy(() -> SimilarityJoin.within(left, 1.5f)).hasMessageContaining("[-1, 1]");
  }
}
