package dev.semblance.internal.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {
  @Test
  void everyNormalHalfSurvivesTheRoundTrip() {
    for (int bits = 0; bits < 0x10000; bits++) {
      int exponent = (bits >>> 10) & 0x1f;
      if (exponent == 0 || exponent == 0x1f) {
        continue; // zero/subnormal (flushed) and infinity/NaN are not stored
      }
      short h = (short) bits;
      assertThat(Half.fromFloat(Half.toFloat(h))).as("half %04x", bits).isEqualTo(h);
    }
  }

  @Test
  void knownValues() {
    assertThat(Half.toFloat(Half.fromFloat(1f))).isEqualTo(1f);
    assertThat(Half.toFloat(Half.fromFloat(-0.5f))).isEqualTo(-0.5f);
    assertThat(Half.fromFloat(1f)).isEqualTo((short) 0x3c00);
    assertThat(Half.fromFloat(65504f)).isEqualTo((short) 0x7bff);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa, 1.
    assertThat(Half.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
    assertThat(Half.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
    // Below the normal range: flushed to a signed zero.
    assertThat(Half.fromFloat(0x1p-15f)).isEqualTo((short) 0);
    assertThat(Half.fromFloat(-0x1p-15f)).isEqualTo((short) 0x8000);
  }

  @Test
  void roundingErrorIsAtMostHalfAnUlp() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      float x = (float) (random.nextDouble() * 2 - 1);
      float back = Half.toFloat(Half.fromFloat(x));
      float bound = Math.abs(x) < 0x1p-14f ? 0x1p-14f : Math.abs(x) * 0x1p-11f;
      assertThat(Math.abs(back - x)).as("%s", x).isLessThanOrEqualTo(bound);
    }
  }
}
