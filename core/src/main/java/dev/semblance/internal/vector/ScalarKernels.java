package dev.semblance.internal.vector;

/** The reference kernels in plain Java; four accumulators let the JIT overlap the multiplies. */
public final class ScalarKernels implements VectorKernels {
  public static final ScalarKernels INSTANCE = new ScalarKernels();

  private ScalarKernels() {}

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
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

  @Override
  public float dotHalf(float[] q, short[] h, int hOffset, int n) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += q[i] * Half.toFloat(h[hOffset + i]);
      s1 += q[i + 1] * Half.toFloat(h[hOffset + i + 1]);
    }
    for (; i < n; i++) {
      s0 += q[i] * Half.toFloat(h[hOffset + i]);
    }
    return s0 + s1;
  }

  @Override
  public void unpackBytes(byte[] b, int bOffset, float scale, float[] out, int outOffset, int n) {
    for (int i = 0; i < n; i++) {
      out[outOffset + i] = b[bOffset + i] * scale;
    }
  }

  @Override
  public float dotBytes(float[] q, byte[] b, int bOffset, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += q[i] * b[bOffset + i];
      s1 += q[i + 1] * b[bOffset + i + 1];
      s2 += q[i + 2] * b[bOffset + i + 2];
      s3 += q[i + 3] * b[bOffset + i + 3];
    }
    for (; i < n; i++) {
      s0 += q[i] * b[bOffset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void dotBlock(
      float[] queries,
      int queryCount,
      float[] rows,
      int rowOffset,
      int rowCount,
      int n,
      float[] out) {
    for (int q = 0; q < queryCount; q++) {
      for (int r = 0; r < rowCount; r++) {
        out[q * rowCount + r] = dot(queries, q * n, rows, rowOffset + r * n, n);
      }
    }
  }

  @Override
  public String name() {
    return "scalar";
  }
}
