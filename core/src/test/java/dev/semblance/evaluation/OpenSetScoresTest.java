package dev.semblance.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import java.util.List;
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

  @Test
  void searchRunsTheOpenSetProtocol() {
    // Three enrolled people along the axes; probes near them, between them, and without a face.
    Gallery gallery = Gallery.create("test", 3);
    gallery.enroll("a", Embedding.of(new float[] {1, 0, 0}));
    gallery.enroll("b", Embedding.of(new float[] {0, 1, 0}));
    gallery.enroll("c", Embedding.of(new float[] {0, 0, 1}));
    List<OpenSetScores.Probe> probes =
        List.of(
            OpenSetScores.Probe.of("a", Embedding.of(new float[] {0.9f, 0.1f, 0})), // rank 1
            OpenSetScores.Probe.of("b", Embedding.of(new float[] {0.8f, 0.5f, 0})), // rank 2
            OpenSetScores.Probe.noFace("c"), // a miss
            OpenSetScores.Probe.of("stranger", Embedding.of(new float[] {0.6f, 0, 0.8f})),
            OpenSetScores.Probe.noFace("another stranger"));
    OpenSetScores scores = OpenSetScores.search(gallery, probes, 2);
    assertThat(scores.matedCount()).isEqualTo(3);
    assertThat(scores.nonMatedCount()).isEqualTo(2);
    assertThat(scores.cmc(2)).containsExactly(1 / 3.0, 2 / 3.0);
    assertThat(scores.nonMatedBest()).containsExactlyInAnyOrder(-1f, 0.8f);
    float bMate = scores.mateScores()[1];
    assertThat(bMate).isCloseTo(0.5f / (float) Math.hypot(0.8, 0.5), within(1e-6f));
    assertThat(scores.fpir(0.79)).isEqualTo(0.5); // the stranger is named at 0.79, not at 0.81
    assertThat(scores.fpir(0.81)).isZero();
    assertThatThrownBy(() -> OpenSetScores.search(gallery, probes, 0))
        .hasMessageContaining("maxRank");
  }
}
