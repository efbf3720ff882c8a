package dev.semblance.internal.geometry;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A 2-D similarity transform (rotation, uniform scale, translation, no reflection): {@code x' = a·x
 * − b·y + tx}, {@code y' = b·x + a·y + ty}.
 */
public record SimilarityTransform(double a, double b, double tx, double ty) {

  /**
   * The least-squares similarity mapping {@code src[i]} onto {@code dst[i]} (Umeyama 1991, which
   * for two dimensions has this closed form). Points are {@code {x, y}} pairs.
   *
   * @throws IllegalArgumentException if there are fewer than two points, the lists differ in
   *     length, or the source points all coincide
   */
  public static SimilarityTransform estimate(double[][] src, double[][] dst) {
    checkArgument(
        src.length == dst.length, "point counts differ: %s != %s", src.length, dst.length);
    checkArgument(src.length >= 2, "a similarity needs at least two points, got %s", src.length);
    int n = src.length;
    double msx = 0, msy = 0, mdx = 0, mdy = 0;
    for (int i = 0; i < n; i++) {
      msx += src[i][0];
      msy += src[i][1];
      mdx += dst[i][0];
      mdy += dst[i][1];
    }
    msx /= n;
    msy /= n;
    mdx /= n;
    mdy /= n;
    double dot = 0, cross = 0, norm = 0;
    for (int i = 0; i < n; i++) {
      double px = src[i][0] - msx, py = src[i][1] - msy;
      double qx = dst[i][0] - mdx, qy = dst[i][1] - mdy;
      dot += px * qx + py * qy;
      cross += px * qy - py * qx;
      norm += px * px + py * py;
    }
    checkArgument(norm > 1e-12, "source points coincide; no similarity is defined");
    double a = dot / norm;
    double b = cross / norm;
    return new SimilarityTransform(a, b, mdx - (a * msx - b * msy), mdy - (b * msx + a * msy));
  }

  public double scale() {
    return Math.hypot(a, b);
  }

  /** Rotation angle in radians. */
  public double angle() {
    return Math.atan2(b, a);
  }

  public double[] apply(double x, double y) {
    return new double[] {a * x - b * y + tx, b * x + a * y + ty};
  }

  public SimilarityTransform inverse() {
    double s2 = a * a + b * b;
    checkArgument(s2 > 0, "a zero-scale transform has no inverse");
    double ia = a / s2;
    double ib = -b / s2;
    return new SimilarityTransform(ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty));
  }
}
