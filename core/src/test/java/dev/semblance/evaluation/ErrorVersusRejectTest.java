package dev.semblance.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ErrorVersusRejectTest {
  // Four images; pairs (0,1) 0.2, (1,2) 0.8, (2,3) 0.3, (0,3) 0.9; threshold 0.5.
  private static final double[] QUALITY = {0.1, 0.9, 0.5, 0.7};
  private static final List<int[]> PAIRS =
      List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3}, new int[] {0, 3});
  private static final float[] SIMILARITY = {0.2f, 0.8f, 0.3f, 0.9f};

  @Test
  void rejectingTheWorstImagesDropsTheirComparisonsAsCountedByHand() {
    ErrorVersusReject curve =
        ErrorVersusReject.of(
            QUALITY, PAIRS, SIMILARITY, 0.5f, new double[] {0, 0.25, 0.5}, new Random(1), 1);
    // 0%: 2 of 4 pairs below 0.5. 25%: image 0 goes, (1,2) and (2,3) stay, one error.
    // 50%: images 0 and 2 go, no pair stays.
    assertThat(curve.fnmr()).containsExactly(0.5, 0.5, 0.0);
    assertThat(curve.falseNonMatches()).containsExactly(2.0, 1.0, 0.0);
    // ((0.5 + 0.5) / 2 · 0.25 + (0.5 + 0) / 2 · 0.25) / 0.5
    assertThat(curve.area()).isCloseTo(0.375, within(1e-12));
    assertThat(curve.removedAt(0.25)).isEqualTo(0.5);
    assertThat(curve.removedAt(0.5)).isEqualTo(1.0);
    assertThatThrownBy(() -> curve.removedAt(0.3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tiedQualitiesAreBrokenAtRandomAndAveraged() {
    // Two images of equal quality in one failing pair: rejecting either drops the pair.
    ErrorVersusReject curve =
        ErrorVersusReject.of(
            new double[] {0.5, 0.5, 0.9},
            List.of(new int[] {0, 1}, new int[] {1, 2}),
            new float[] {0.1f, 0.9f},
            0.5f,
            new double[] {0, 1.0 / 3},
            new Random(7),
            100);
    assertThat(curve.fnmr()[0]).isCloseTo(0.5, within(1e-12)); // the mean of 100 equal repeats
    // Image 0 rejected: (1,2) stays, no error; image 1 rejected: no pair stays. Either way 0.
    assertThat(curve.fnmr()[1]).isZero();
    assertThat(curve.falseNonMatches()[1]).isZero();
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(
            () ->
                ErrorVersusReject.of(
                    QUALITY, PAIRS, new float[1], 0.5f, new double[] {0, 0.1}, new Random(), 1))
        .hasMessageContaining("one similarity");
    assertThatThrownBy(
            () ->
                ErrorVersusReject.of(
                    QUALITY, PAIRS, SIMILARITY, 0.5f, new double[] {0.1, 0.2}, new Random(), 1))
        .hasMessageContaining("start at 0");
  }
}
