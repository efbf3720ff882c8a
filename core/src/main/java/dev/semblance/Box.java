package dev.semblance;

/**
 * An axis-aligned rectangle in image pixel coordinates: {@code (left, top)} inclusive, {@code
 * (right, bottom)} exclusive.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public record Box(float left, float top, float right, float bottom) {

  public float width() {
    return right - left;
  }

  public float height() {
    return bottom - top;
  }

  public float area() {
    return Math.max(0f, width()) * Math.max(0f, height());
  }

  public Point center() {
    return new Point((left + right) / 2f, (top + bottom) / 2f);
  }

  /** Intersection over union with another box; 0 when either is empty. */
  public float iou(Box other) {
    float w = Math.min(right, other.right) - Math.max(left, other.left);
    float h = Math.min(bottom, other.bottom) - Math.max(top, other.top);
    if (w <= 0 || h <= 0) {
      return 0f;
    }
    float intersection = w * h;
    return intersection / (area() + other.area() - intersection);
  }
}
