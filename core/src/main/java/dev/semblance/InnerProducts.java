package dev.semblance;

import dev.semblance.internal.vector.Kernels;
import dev.semblance.internal.vector.VectorKernels;

/**
 * The gallery's own inner-product kernel (SIMD through the Vector API where the JVM offers it) for
 * plug-ins that score templates themselves, e.g. a graph index walking its edges, so that they do
 * not fall back to a scalar loop.
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class InnerProducts {
  private static final VectorKernels KERNELS = Kernels.get();

  private InnerProducts() {}

  /** The inner product of {@code a[aOffset..aOffset+n)} and {@code b[bOffset..bOffset+n)}. */
  public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
    return KERNELS.dot(a, aOffset, b, bOffset, n);
  }

  /**
   * The inner product of {@code q[0..n)} and {@code b[bOffset..bOffset+n)} read as signed integers:
   * times a row's scale, the score of a row stored as bytes.
   */
  public static float dotBytes(float[] q, byte[] b, int bOffset, int n) {
    return KERNELS.dotBytes(q, b, bOffset, n);
  }

  /**
   * Turns {@code n} bytes stored with {@code scale} back into floats: {@code into[intoOffset + i] =
   * b[bOffset + i] · scale}.
   */
  public static void unpackBytes(
      byte[] b, int bOffset, float scale, float[] into, int intoOffset, int n) {
    KERNELS.unpackBytes(b, bOffset, scale, into, intoOffset, n);
  }
}
