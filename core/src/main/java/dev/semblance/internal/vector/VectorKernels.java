package dev.semblance.internal.vector;

/**
 * The arithmetic of a gallery scan. Two implementations give the same results up to float rounding:
 * {@link ScalarKernels}, plain Java, and {@code PanamaKernels}, on the Java Vector API when {@code
 * jdk.incubator.vector} is readable. {@link Kernels#get()} picks one once.
 *
 * <p>Thread safety: implementations are stateless and safe for concurrent use.
 */
public interface VectorKernels {
  /** Σ a[aOffset + i] · b[bOffset + i] for i &lt; n. */
  float dot(float[] a, int aOffset, float[] b, int bOffset, int n);

  /**
   * Σ q[i] · half(h[hOffset + i]) for i &lt; n, reading IEEE binary16 values flushed to zero below
   * the normal range.
   */
  float dotHalf(float[] q, short[] h, int hOffset, int n);

  /** Σ q[i] · b[bOffset + i] for i &lt; n, with the bytes as signed integers. */
  float dotBytes(float[] q, byte[] b, int bOffset, int n);

  /**
   * out[outOffset + i] = b[bOffset + i] · scale for i &lt; n, with the bytes as signed integers.
   */
  void unpackBytes(byte[] b, int bOffset, float scale, float[] out, int outOffset, int n);

  /**
   * Scores of many queries against consecutive rows: {@code out[q * rowCount + r]} is the dot
   * product of query {@code q} (at {@code queries[q * n]}) and row {@code r} (at {@code
   * rows[rowOffset + r * n]}). Blocked so that each row loaded serves several queries.
   */
  void dotBlock(
      float[] queries,
      int queryCount,
      float[] rows,
      int rowOffset,
      int rowCount,
      int n,
      float[] out);

  /** A short description for logs and benchmark output, e.g. {@code "scalar"}. */
  String name();
}
