package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Embedding;
import dev.semblance.InnerProducts;
import dev.semblance.spi.NeighbourSearch;
import dev.semblance.testing.UnitVectors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The clustering index's parts: rows stored as bytes score within 10^-3 of float32, the top rows
 * come out best first, and the shortlists of the searches that place faces name their nearest.
 */
class NeighbourShortlistTest {
  private static final int DIM = 512;
  private final UnitVectors random = new UnitVectors(11, DIM);

  private float[] packed(int rows) {
    float[] out = new float[rows * DIM];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(random.random().toArray(), 0, out, r * DIM, DIM);
    }
    return out;
  }

  @Test
  void bytesScoreAsFloatsDoWithinATenthOfAPercent() {
    float[] vectors = packed(200);
    ByteRows rows = new ByteRows(DIM);
    rows.append(vectors, 0, 100);
    rows.append(vectors, 100, 100);
    float[] probe = random.random().toArray();
    float worst = 0;
    for (int r = 0; r < 200; r++) {
      float exact = InnerProducts.dot(probe, 0, vectors, r * DIM, DIM);
      worst = Math.max(worst, Math.abs(rows.dot(probe, r) - exact));
      assertThat(rows.dot(rows.read(r), r)).isCloseTo(1f, within(2e-3f));
    }
    assertThat(rows.rows()).isEqualTo(200);
    assertThat(worst).isLessThan(1e-3f).isGreaterThan(0f);
  }

  @Test
  void topRowsKeepsTheBestBestFirst() {
    TopRows top = new TopRows(5);
    float[] scores = {0.3f, 0.9f, -0.2f, 0.5f, 0.95f, 0.1f, 0.7f, 0.6f, 0.2f};
    for (int r = 0; r < scores.length; r++) {
      top.offer(r, scores[r]);
    }
    assertThat(top.rows()).containsExactly(4, 1, 6, 7, 3);
    top.offer(4, 0.95f); // scored again on another layer: named once (its copy takes 3's place)
    assertThat(top.rows()).containsExactly(4, 1, 6, 7);
    assertThat(new TopRows(3).rows()).isEmpty();
  }

  @Test
  void placingFacesNamesTheirNearest() {
    int n = 3000;
    float[] vectors = packed(n);
    // Every tenth face has a near copy right after it, far closer than any other face.
    for (int r = 0; r + 1 < n; r += 10) {
      Embedding near =
          random.near(Embedding.of(Arrays.copyOfRange(vectors, r * DIM, (r + 1) * DIM)), 0.9);
      System.arraycopy(near.toArray(), 0, vectors, (r + 1) * DIM, DIM);
    }
    try (NeighbourSearch.Index index = new GraphNeighbourSearch().create(DIM)) {
      int[][] none = index.add(vectors, 0, 1000, 0);
      assertThat(none.length).isEqualTo(1000);
      assertThat(Arrays.stream(none).allMatch(s -> s.length == 0)).isTrue();
      int[][] found = index.add(vectors, 1000, n - 1000, 8);
      assertThat(index.size()).isEqualTo(n);
      assertThat(found.length).isEqualTo(n - 1000);
      assertThat(Arrays.stream(found).allMatch(s -> s.length > 0)).isTrue();
      for (int r = 1000; r + 1 < n; r += 10) {
        int original = r, copy = r + 1;
        // Added in one call, the pair may be named from one end only.
        assertThat(contains(found[copy - 1000], original) || contains(found[original - 1000], copy))
            .as("face %s and its copy", r)
            .isTrue();
      }
      // A face added later finds its copy among the earlier ones, best first; more rows than the
      // graph's edges (degree 16, overflow 1.2) could name: the placing search answers.
      float[] late =
          random
              .near(Embedding.of(Arrays.copyOfRange(vectors, 500 * DIM, 501 * DIM)), 0.9)
              .toArray();
      int[] shortlist = index.add(late, 0, 1, 40)[0];
      assertThat(shortlist[0]).isEqualTo(500);
      assertThat(shortlist.length).isGreaterThanOrEqualTo(40);
    }
  }

  private static boolean contains(int[] rows, int row) {
    return Arrays.stream(rows).anyMatch(r -> r == row);
  }
}
