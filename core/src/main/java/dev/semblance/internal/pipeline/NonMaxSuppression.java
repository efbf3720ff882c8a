package dev.semblance.internal.pipeline;

import dev.semblance.Box;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Greedy non-maximum suppression: the best-scoring box wins over any box overlapping it. */
public final class NonMaxSuppression {
  private NonMaxSuppression() {}

  public record Scored(Box box, float score) {}

  /**
   * Keeps boxes in descending score order, dropping each box whose IoU with an already kept box
   * exceeds {@code maxIou}.
   */
  public static List<Scored> apply(List<Scored> candidates, float maxIou) {
    List<Scored> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingDouble((Scored s) -> s.score()).reversed());
    List<Scored> kept = new ArrayList<>();
    for (Scored candidate : sorted) {
      boolean suppressed = false;
      for (Scored k : kept) {
        if (k.box().iou(candidate.box()) > maxIou) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) {
        kept.add(candidate);
      }
    }
    return kept;
  }
}
