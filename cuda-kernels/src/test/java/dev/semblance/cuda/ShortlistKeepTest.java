package dev.semblance.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.spi.AcceleratedIndex.Candidates;
import org.junit.jupiter.api.Test;

/** {@link Shortlist#keep} on lists worked out by hand (ShortlistTest runs it on real faces). */
class ShortlistKeepTest {
  @Test
  void aListIsCutAtTwiceEpsilonBelowItsCthBestAndItsBoundCoversWhatIsLeftOut() {
    float epsilon = 0.01f, margin = Shortlist.margin(16), reported = 0.001f;
    float[] scores = {0.50f, 0.90f, 0.70f, 0.69f, 0.681f, 0.60f, 0.70f};
    int[] rows = {10, 11, 12, 13, 14, 15, 16};
    Candidates kept = Shortlist.keep(scores, rows, 7, 3, 0.4f, epsilon, 16, reported);
    // Best first, ties by row; the third best is 0.70, so the cut is 0.68 less the margin.
    assertThat(kept.rows()).containsExactly(11, 12, 16, 13, 14);
    assertThat(kept.scores()).containsExactly(0.90f, 0.70f, 0.70f, 0.69f, 0.681f);
    float cut = 0.70f - 2 * epsilon - margin;
    assertThat(kept.excludedBound() + reported).isEqualTo(cut + epsilon);
  }

  @Test
  void withNoMoreThanCRowsListedEveryOneIsKeptAndTheFloorBoundsTheRest() {
    float[] scores = {0.3f, 0.8f};
    int[] rows = {4, 2};
    Candidates kept = Shortlist.keep(scores, rows, 2, 5, 0.25f, 0.01f, 16, 0.001f);
    assertThat(kept.rows()).containsExactly(2, 4);
    assertThat(kept.excludedBound()).isEqualTo(0.25f + 0.01f - 0.001f);
    Candidates everyRow =
        Shortlist.keep(scores, rows, 2, 5, Float.NEGATIVE_INFINITY, 0.01f, 16, 0.001f);
    assertThat(everyRow.excludedBound()).isEqualTo(Float.NEGATIVE_INFINITY);
  }
}
