package dev.semblance.learning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MiningTest {
  // Points on a line (squared distances easy to read). Identity 0: x = 0, 1; identity 1: x = 1.2,
  // 3.
  private final float[][] e = {{0}, {1}, {1.2f}, {3}};
  private final int[] labels = {0, 0, 1, 1};

  @Test
  void batchHardTakesTheFarthestPositiveAndClosestNegative() {
    List<Triplet> t = Mining.BATCH_HARD.mine(e, labels, 0.2, new Random(1));
    // anchor 0: positive 1 (d 1), closest negative 2 (d 1.44); anchor 2: positive 3, closest
    // negative 1.
    assertThat(t)
        .contains(
            new Triplet(0, 1, 2), new Triplet(2, 3, 1), new Triplet(1, 0, 2), new Triplet(3, 2, 1));
    assertThat(t).hasSize(4);
  }

  @Test
  void batchAllKeepsEveryTripletWithPositiveLoss() {
    List<Triplet> t = Mining.BATCH_ALL.mine(e, labels, 0.5, new Random(1));
    // (0,1,2): 1 − 1.44 + 0.5 > 0 yes; (0,1,3): 1 − 9 + 0.5 no; (1,0,2): 1 − 0.04 + 0.5 yes;
    // (1,0,3): 1 − 4 + 0.5 no; (2,3,0): 3.24 − 1.44 + 0.5 yes; (2,3,1): 3.24 − 0.04 yes;
    // (3,2,0): 3.24 − 9 no; (3,2,1): 3.24 − 4 + 0.5 = −0.26 no.
    assertThat(t)
        .containsExactlyInAnyOrder(
            new Triplet(0, 1, 2), new Triplet(1, 0, 2), new Triplet(2, 3, 0), new Triplet(2, 3, 1));
  }

  @Test
  void semiHardNegativesLieBetweenThePositiveAndTheMargin() {
    List<Triplet> t = Mining.SEMI_HARD.mine(e, labels, 0.5, new Random(1));
    // (0,1): d(A,P) = 1, negatives 2 (1.44, inside (1, 1.5)) and 3 (9, outside): only 2.
    // (1,0): d = 1, negatives 2 (0.04 < 1: hard, not semi-hard), 3 (4): none.
    // (2,3): d = 3.24, negatives 0 (1.44), 1 (0.04): none. (3,2): d = 3.24, 1 (4): inside (3.24,
    // 3.74)? no.
    assertThat(t).containsExactly(new Triplet(0, 1, 2));
  }

  @Test
  void randomTakesOneNegativePerPositivePairReproducibly() {
    List<Triplet> first = Mining.RANDOM.mine(e, labels, 0.2, new Random(5));
    assertThat(first).hasSize(4);
    assertThat(first)
        .allSatisfy(
            t -> {
              assertThat(labels[t.anchor()]).isEqualTo(labels[t.positive()]);
              assertThat(labels[t.anchor()]).isNotEqualTo(labels[t.negative()]);
            });
    assertThat(Mining.RANDOM.mine(e, labels, 0.2, new Random(5))).isEqualTo(first);
  }
}
