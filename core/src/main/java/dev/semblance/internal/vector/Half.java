package dev.semblance.internal.vector;

/**
 * IEEE 754 binary16 conversion (Java 17 has none). Values below the smallest normal half (6.1e-5)
 * become zero, so decoding never meets a subnormal: the SIMD decoder is then a shift and one
 * multiply, and subnormal arithmetic, slow on many CPUs, never happens. For unit vectors the
 * flushed part is far below the quantisation error the search bounds anyway.
 */
public final class Half {
  /** 2^112: moves a half's exponent, shifted into float position, to the float bias. */
  static final float EXPONENT_ADJUST = 0x1p112f;

  private Half() {}

  /** The nearest half to {@code f} (ties to even), zero below the normal range. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    float magnitude = Math.abs(f);
    if (Float.isNaN(f)) {
      return (short) (sign | 0x7e00);
    }
    if (magnitude >= 65520f) {
      return (short) (sign | 0x7c00); // rounds to infinity
    }
    if (magnitude < 0x1p-14f) {
      return (short) sign;
    }
    int m = Float.floatToRawIntBits(magnitude);
    // Round the 23-bit mantissa to 10 bits, ties to even; a carry correctly bumps the exponent.
    int rounded = m + 0xfff + ((m >>> 13) & 1);
    int half = (rounded >>> 13) - ((127 - 15) << 10);
    return (short) (sign | half);
  }

  /** The float value of a half produced by {@link #fromFloat}. */
  public static float toFloat(short h) {
    int bits = ((h & 0x7fff) << 13) | ((h & 0x8000) << 16);
    return Float.intBitsToFloat(bits) * EXPONENT_ADJUST;
  }
}
