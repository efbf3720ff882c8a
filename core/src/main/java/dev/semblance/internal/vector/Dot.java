package dev.semblance.internal.vector;

/** The one dot-product kernel the scans use; the place a SIMD version will replace. */
public final class Dot {
  private Dot() {}

  /** Σ a[aOffset + i] · b[bOffset + i] for i < n, in four independent accumulators. */
  public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[aOffset + i] * b[bOffset + i];
      s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
      s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
      s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[aOffset + i] * b[bOffset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
