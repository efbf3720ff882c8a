package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.semblance.Box;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metrics on sequences whose values follow from their definitions by hand. */
class MotMetricsTest {
  private static final Box A = new Box(0, 0, 100, 100);
  private static final Box B = new Box(300, 0, 400, 100);

  /** A box that overlaps {@code box} with an IoU of 1/2: shifted by a third of its width. */
  private static Box halfOverlapping(Box box) {
    return new Box(box.left() + 100 / 3f, box.top(), box.right() + 100 / 3f, box.bottom());
  }

  @Test
  void perfectTracksScoreOne() {
    MotMetrics m = new MotMetrics();
    for (int f = 0; f < 10; f++) {
      m.frame(
          List.of(new MotMetrics.Item<>("a", A), new MotMetrics.Item<>("b", B)),
          List.of(new MotMetrics.Item<>(1, A), new MotMetrics.Item<>(2, B)));
    }
    assertThat(m.mota()).isEqualTo(1.0);
    assertThat(m.idf1()).isEqualTo(1.0);
    assertThat(m.hota()).isCloseTo(1.0, offset(1e-9));
  }

  @Test
  void tracksThatSwapHalfWayScoreTheRootOfAThird() {
    // Both tracks follow the wrong person for the second half: every box found (DetA 1), but each
    // pair of identities shares 5 of the 15 frames either is in (AssA 1/3).
    MotMetrics m = new MotMetrics();
    for (int f = 0; f < 10; f++) {
      int onA = f < 5 ? 1 : 2;
      m.frame(
          List.of(new MotMetrics.Item<>("a", A), new MotMetrics.Item<>("b", B)),
          List.of(new MotMetrics.Item<>(onA, A), new MotMetrics.Item<>(3 - onA, B)));
    }
    assertThat(m.switches()).isEqualTo(2);
    assertThat(m.idf1()).isCloseTo(0.5, offset(1e-9));
    assertThat(m.hota()).isCloseTo(Math.sqrt(1 / 3.0), offset(1e-9));
  }

  @Test
  void boxesHalfOffCountAtTheLowerThresholdsOnly() {
    // IoU 1/2: detected at α = 0.05 … 0.50 (10 of 19 thresholds, HOTA 1 there), missed above.
    MotMetrics m = new MotMetrics();
    for (int f = 0; f < 10; f++) {
      m.frame(
          List.of(new MotMetrics.Item<>("a", A)),
          List.of(new MotMetrics.Item<>(1, halfOverlapping(A))));
    }
    assertThat(A.iou(halfOverlapping(A))).isCloseTo(0.5f, offset(1e-5f));
    assertThat(m.hota()).isCloseTo(10 / 19.0, offset(1e-6));
  }
}
