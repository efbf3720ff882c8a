package dev.semblance.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Box;
import dev.semblance.internal.pipeline.NonMaxSuppression.Scored;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonMaxSuppressionTest {

  @Test
  void keepsTheBestOfOverlappingBoxesAndEveryDisjointOne() {
    Scored a = new Scored(new Box(0, 0, 10, 10), 0.9f);
    Scored aShifted = new Scored(new Box(1, 1, 11, 11), 0.95f); // IoU 81/119 = 0.68 with a
    Scored b = new Scored(new Box(20, 20, 30, 30), 0.7f);
    Scored touchingB = new Scored(new Box(25, 20, 35, 30), 0.8f); // IoU 50/150 = 0.33 with b
    List<Scored> kept = NonMaxSuppression.apply(List.of(a, aShifted, b, touchingB), 0.4f);
    assertThat(kept).containsExactly(aShifted, touchingB, b);
  }

  @Test
  void iouThresholdIsExclusive() {
    Scored a = new Scored(new Box(0, 0, 10, 10), 0.9f);
    Scored half = new Scored(new Box(0, 0, 10, 5), 0.8f); // IoU exactly 0.5
    assertThat(NonMaxSuppression.apply(List.of(a, half), 0.5f)).hasSize(2);
    assertThat(NonMaxSuppression.apply(List.of(a, half), 0.49f)).containsExactly(a);
  }

  @Test
  void emptyInputGivesEmptyOutput() {
    assertThat(NonMaxSuppression.apply(List.of(), 0.4f)).isEmpty();
  }

  @Test
  void iouOfDisjointAndIdenticalBoxes() {
    Box box = new Box(2, 3, 12, 8);
    assertThat(box.iou(box)).isEqualTo(1f);
    assertThat(box.iou(new Box(12, 3, 20, 8))).isZero();
    assertThat(new Box(5, 5, 5, 9).iou(box)).isZero();
  }
}
