package dev.semblance.internal.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every SIMD kernel against the scalar reference and a double-precision sum, over dimensions that
 * leave every kind of remainder. The SIMD half is skipped where the JVM lacks the Vector API
 * module.
 */
class KernelsTest {
  /** Float rounding of an n-term dot product of values in [-1, 1] stays well inside this. */
  private static Offset<Float> tolerance(int n) {
    return Offset.offset(1e-6f * n + 1e-6f);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 127, 128, 513, 4097})
  void scalarDotMatchesDoublePrecision(int n) {
    SplittableRandom random = new SplittableRandom(n);
    float[] a = random(random, n + 5), b = random(random, n + 9);
    double exact = 0;
    for (int i = 0; i < n; i++) {
      exact += (double) a[5 + i] * b[9 + i];
    }
    assertThat(Kernels.scalar().dot(a, 5, b, 9, n)).isCloseTo((float) exact, tolerance(n));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 127, 128, 513, 4097})
  void simdKernelsMatchScalar(int n) {
    assumeTrue(Kernels.panama().isPresent(), "jdk.incubator.vector is not readable in this JVM");
    VectorKernels simd = Kernels.panama().get(), scalar = Kernels.scalar();
    SplittableRandom random = new SplittableRandom(31 + n);
    float[] a = random(random, n + 3), b = random(random, n + 11);
    assertThat(simd.dot(a, 3, b, 11, n)).isCloseTo(scalar.dot(a, 3, b, 11, n), tolerance(n));

    float[] q = random(random, n);
    short[] h = new short[n + 7];
    byte[] bytes = new byte[n + 7];
    for (int i = 0; i < h.length; i++) {
      h[i] = Half.fromFloat((float) (random.nextDouble() * 2 - 1));
      bytes[i] = (byte) (random.nextInt(255) - 127);
    }
    assertThat(simd.dotHalf(q, h, 7, n)).isCloseTo(scalar.dotHalf(q, h, 7, n), tolerance(n));
    assertThat(simd.dotBytes(q, bytes, 7, n))
        .isCloseTo(scalar.dotBytes(q, bytes, 7, n), Offset.offset(127 * (1e-6f * n + 1e-6f)));
    float[] unpacked = new float[n + 2], expected = new float[n + 2];
    simd.unpackBytes(bytes, 7, 0.0123f, unpacked, 2, n);
    scalar.unpackBytes(bytes, 7, 0.0123f, expected, 2, n);
    assertThat(unpacked).containsExactly(expected);
    assertThat(expected[n + 1]).isEqualTo(bytes[7 + n - 1] * 0.0123f);
    assertThat(expected[1]).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 127, 128, 513})
  void blockScoresEqualPairwiseDots(int n) {
    for (VectorKernels kernels : available()) {
      for (int queries : new int[] {1, 3, 4, 5, 9}) {
        for (int rows : new int[] {1, 2, 3, 7}) {
          SplittableRandom random = new SplittableRandom(n * 100L + queries * 10L + rows);
          float[] q = random(random, queries * n), x = random(random, 4 + rows * n);
          float[] out = new float[queries * rows];
          kernels.dotBlock(q, queries, x, 4, rows, n, out);
          for (int i = 0; i < queries; i++) {
            for (int r = 0; r < rows; r++) {
              assertThat(out[i * rows + r])
                  .as("%s, %d×%d at (%d, %d)", kernels.name(), queries, rows, i, r)
                  .isCloseTo(Kernels.scalar().dot(q, i * n, x, 4 + r * n, n), tolerance(n));
            }
          }
        }
      }
    }
  }

  private static VectorKernels[] available() {
    return Kernels.panama().isPresent()
        ? new VectorKernels[] {Kernels.scalar(), Kernels.panama().get()}
        : new VectorKernels[] {Kernels.scalar()};
  }

  private static float[] random(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }

  @Test
  void aForcedWidthIsTheOneInUse() {
    String forced = System.getProperty(Kernels.BITS_PROPERTY);
    assumeTrue(
        forced != null, "no vector width forced in this JVM (the width executions force one)");
    assumeTrue(Kernels.panama().isPresent(), "jdk.incubator.vector is not readable in this JVM");
    assertThat(Kernels.panama().get().name()).endsWith(", " + forced + "-bit");
  }

  @Test
  void aForcedWidthMustBeOneThePlatformHas() {
    String before = System.getProperty(Kernels.BITS_PROPERTY);
    try {
      System.setProperty(Kernels.BITS_PROPERTY, "128");
      assertThat(Kernels.vectorBits(512)).isEqualTo(128);
      System.setProperty(Kernels.BITS_PROPERTY, "512");
      assertThat(Kernels.vectorBits(256)).as("wider than the platform").isEqualTo(256);
      System.setProperty(Kernels.BITS_PROPERTY, "96");
      assertThat(Kernels.vectorBits(256)).as("not a width").isEqualTo(256);
      System.setProperty(Kernels.BITS_PROPERTY, "wide");
      assertThat(Kernels.vectorBits(512)).isEqualTo(512);
    } finally {
      if (before == null) {
        System.clearProperty(Kernels.BITS_PROPERTY);
      } else {
        System.setProperty(Kernels.BITS_PROPERTY, before);
      }
    }
  }
}
