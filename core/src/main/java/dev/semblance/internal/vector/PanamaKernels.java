package dev.semblance.internal.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels on the Java Vector API at the platform's preferred width. Loaded only by {@link
 * Kernels} after it has checked that {@code jdk.incubator.vector} is readable; touching this class
 * without the module fails.
 */
final class PanamaKernels implements VectorKernels {
  /** The preferred width, or a narrower one forced by {@link Kernels#BITS_PROPERTY}. */
  private static final int BITS = Kernels.vectorBits(FloatVector.SPECIES_PREFERRED.vectorBitSize());

  // Static final species, so that C2 folds them into constants.
  private static final VectorSpecies<Float> F =
      VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
  private static final int L = F.length();
  private static final VectorSpecies<Integer> I =
      VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));

  /** As many halves or bytes as F has floats, for widening conversions. */
  private static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

  private static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 4)));

  /**
   * At 128 bits, L bytes would need a 32-bit vector, which does not exist: a 64-bit one is loaded
   * under a mask of its first L lanes instead, so that no byte past the row is read.
   */
  private static final boolean BYTES_MASKED = B.length() > L;

  private static final VectorMask<Byte> FIRST_L_BYTES = B.indexInRange(0, L);

  static final PanamaKernels INSTANCE = new PanamaKernels();

  private PanamaKernels() {}

  static int bitSize() {
    return F.vectorBitSize();
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    // Bounds computed up front, not "i + 4L <= n": C2 then drops the range checks and unrolls.
    for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
      s0 =
          FloatVector.fromArray(F, a, aOffset + i)
              .fma(FloatVector.fromArray(F, b, bOffset + i), s0);
      s1 =
          FloatVector.fromArray(F, a, aOffset + i + L)
              .fma(FloatVector.fromArray(F, b, bOffset + i + L), s1);
      s2 =
          FloatVector.fromArray(F, a, aOffset + i + 2 * L)
              .fma(FloatVector.fromArray(F, b, bOffset + i + 2 * L), s2);
      s3 =
          FloatVector.fromArray(F, a, aOffset + i + 3 * L)
              .fma(FloatVector.fromArray(F, b, bOffset + i + 3 * L), s3);
    }
    for (int bound = n - n % L; i < bound; i += L) {
      s0 =
          FloatVector.fromArray(F, a, aOffset + i)
              .fma(FloatVector.fromArray(F, b, bOffset + i), s0);
    }
    float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[aOffset + i] * b[bOffset + i];
    }
    return sum;
  }

  @Override
  public float dotHalf(float[] q, short[] h, int hOffset, int n) {
    FloatVector s0 = FloatVector.zero(F), s1 = s0;
    int i = 0;
    for (int bound = n - n % (2 * L); i < bound; i += 2 * L) {
      s0 = FloatVector.fromArray(F, q, i).fma(halves(h, hOffset + i), s0);
      s1 = FloatVector.fromArray(F, q, i + L).fma(halves(h, hOffset + i + L), s1);
    }
    for (int bound = n - n % L; i < bound; i += L) {
      s0 = FloatVector.fromArray(F, q, i).fma(halves(h, hOffset + i), s0);
    }
    float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * Half.toFloat(h[hOffset + i]);
    }
    return sum;
  }

  /** L halves widened to floats: sign and magnitude moved into float position, then rebiased. */
  private static FloatVector halves(short[] h, int offset) {
    IntVector v =
        (IntVector) ShortVector.fromArray(S, h, offset).convertShape(VectorOperators.S2I, I, 0);
    IntVector bits =
        v.and(0x7fff)
            .lanewise(VectorOperators.LSHL, 13)
            .or(v.and(0x8000).lanewise(VectorOperators.LSHL, 16));
    return bits.reinterpretAsFloats().mul(Half.EXPONENT_ADJUST);
  }

  @Override
  public float dotBytes(float[] q, byte[] b, int bOffset, int n) {
    FloatVector s0 = FloatVector.zero(F), s1 = s0;
    int i = 0;
    for (int bound = n - n % (2 * L); i < bound; i += 2 * L) {
      s0 = FloatVector.fromArray(F, q, i).fma(bytes(b, bOffset + i), s0);
      s1 = FloatVector.fromArray(F, q, i + L).fma(bytes(b, bOffset + i + L), s1);
    }
    for (int bound = n - n % L; i < bound; i += L) {
      s0 = FloatVector.fromArray(F, q, i).fma(bytes(b, bOffset + i), s0);
    }
    float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += q[i] * b[bOffset + i];
    }
    return sum;
  }

  @Override
  public void unpackBytes(byte[] b, int bOffset, float scale, float[] out, int outOffset, int n) {
    int i = 0;
    for (int bound = n - n % L; i < bound; i += L) {
      bytes(b, bOffset + i).mul(scale).intoArray(out, outOffset + i);
    }
    for (; i < n; i++) {
      out[outOffset + i] = b[bOffset + i] * scale;
    }
  }

  private static FloatVector bytes(byte[] b, int offset) {
    ByteVector v =
        BYTES_MASKED
            ? ByteVector.fromArray(B, b, offset, FIRST_L_BYTES)
            : ByteVector.fromArray(B, b, offset);
    return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
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
    int q = 0;
    // Four queries against two rows at a time: eight accumulators, six loads per eight FMAs.
    for (; q + 3 < queryCount; q += 4) {
      int r = 0;
      for (; r + 1 < rowCount; r += 2) {
        block4x2(queries, q, rows, rowOffset + r * n, n, out, q * rowCount + r, rowCount);
      }
      for (; r < rowCount; r++) {
        for (int j = 0; j < 4; j++) {
          out[(q + j) * rowCount + r] = dot(queries, (q + j) * n, rows, rowOffset + r * n, n);
        }
      }
    }
    for (; q < queryCount; q++) {
      for (int r = 0; r < rowCount; r++) {
        out[q * rowCount + r] = dot(queries, q * n, rows, rowOffset + r * n, n);
      }
    }
  }

  private static void block4x2(
      float[] queries, int q, float[] rows, int row, int n, float[] out, int at, int stride) {
    int q0 = q * n, q1 = q0 + n, q2 = q1 + n, q3 = q2 + n, r0 = row, r1 = row + n;
    FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00;
    FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    int i = 0;
    for (int bound = n - n % L; i < bound; i += L) {
      FloatVector x0 = FloatVector.fromArray(F, rows, r0 + i);
      FloatVector x1 = FloatVector.fromArray(F, rows, r1 + i);
      FloatVector y = FloatVector.fromArray(F, queries, q0 + i);
      a00 = y.fma(x0, a00);
      a01 = y.fma(x1, a01);
      y = FloatVector.fromArray(F, queries, q1 + i);
      a10 = y.fma(x0, a10);
      a11 = y.fma(x1, a11);
      y = FloatVector.fromArray(F, queries, q2 + i);
      a20 = y.fma(x0, a20);
      a21 = y.fma(x1, a21);
      y = FloatVector.fromArray(F, queries, q3 + i);
      a30 = y.fma(x0, a30);
      a31 = y.fma(x1, a31);
    }
    out[at] = a00.reduceLanes(VectorOperators.ADD);
    out[at + 1] = a01.reduceLanes(VectorOperators.ADD);
    out[at + stride] = a10.reduceLanes(VectorOperators.ADD);
    out[at + stride + 1] = a11.reduceLanes(VectorOperators.ADD);
    out[at + 2 * stride] = a20.reduceLanes(VectorOperators.ADD);
    out[at + 2 * stride + 1] = a21.reduceLanes(VectorOperators.ADD);
    out[at + 3 * stride] = a30.reduceLanes(VectorOperators.ADD);
    out[at + 3 * stride + 1] = a31.reduceLanes(VectorOperators.ADD);
    if (i < n) {
      for (int j = 0; j < 4; j++) {
        int query = q0 + j * n + i;
        out[at + j * stride] += ScalarKernels.INSTANCE.dot(queries, query, rows, r0 + i, n - i);
        out[at + j * stride + 1] += ScalarKernels.INSTANCE.dot(queries, query, rows, r1 + i, n - i);
      }
    }
  }

  @Override
  public String name() {
    return "Panama Vector API, " + F.vectorBitSize() + "-bit";
  }
}
