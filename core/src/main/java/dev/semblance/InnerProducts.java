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
}
