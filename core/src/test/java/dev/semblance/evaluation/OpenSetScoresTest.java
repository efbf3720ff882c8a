package dev.semblance.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenSetScoresTest {
  // Four mated searches (rank, score) and five non-mated best scores.
  private final OpenSetScores s =
      OpenSetScores.of(
          new int[] {1, 1, 2, 1},
          new float[] {0.9f, 0.5f, 0.6f, 0.3f},
          new float[] {0.2f, 0.35f, 0.1f, 0.55f, 0.4f});

  @Test
  void ratesFollowTheFrvtDefinitions() {
    assertThat(s.fpir(0.4)).isEqualTo(2 / 5.0); // 0.55, 0.4
    // Misses at 0.4: the rank-2 mate, and the rank-1 mate at 0.3.
    assertThat(s.fnir(0.4)).isEqualTo(2 / 4.0);
    assertThat(s.fnir(-1)).isEqualTo(1 / 4.0); // rank-2 is a miss at any threshold
  }

  @Test
  void cmcCountsRanks() {
    assertThat(s.cmc(3)).containsExactly(0.75, 1.0, 1.0);
  }

  @Test
  void dirAtFpirUsesTheMostLenientThresholdWithinTheTarget() {
    TarAtFar at = s.dirAtFpir(0.2); // one of five non-mated may pass: 0.55
    assertThat(at.far()).isEqualTo(0.2);
    assertThat(at.threshold()).isGreaterThan(0.4).isLessThanOrEqualTo(0.55);
    assertThat(at.tar()).isEqualTo(0.5); // threshold just above 0.4: hits 0.9 and 0.5
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> OpenSetScores.of(new int[] {0}, new float[] {0.1f}, new float[0]))
        .hasMessageContaining("rank must be at least 1");
    assertThatThrownBy(() -> OpenSetScores.of(new int[] {1}, new float[] {Float.NaN}, new float[0]))
        .hasMessageContaining("not a number");
    assertThatThrownBy(
            () -> OpenSetScores.of(new int[] {1}, new float[] {0.1f}, new float[] {Float.NaN}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
