package dev.semblance.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResamplerTest {
  private static RgbImage noise(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    new Random(2).nextBytes(rgb);
    return new RgbImage(w, h, rgb);
  }

  @Test
  void resizeAgreesWithTheGeneralAffineSampler() {
    RgbImage image = noise(37, 23);
    double[][] regions = {
      {0, 0, 37, 23}, {-5, -4, 50, 30}, {3.3, 2.1, 10.5, 7.7}, {30, 20, 20, 20}
    };
    for (double[] r : regions) {
      for (boolean clamp : new boolean[] {true, false}) {
        int outW = 29;
        int outH = 17;
        float[] fast = Resampler.resize(image, r[0], r[1], r[2], r[3], outW, outH, clamp);
        double sx = r[2] / outW;
        double sy = r[3] / outH;
        float[] reference =
            Resampler.affine(
                image,
                sx,
                0,
                r[0] + 0.5 * sx - 0.5,
                0,
                sy,
                r[1] + 0.5 * sy - 0.5,
                outW,
                outH,
                clamp);
        for (int i = 0; i < fast.length; i++) {
          assertThat(fast[i])
              .as("region %s clamp %s at %s", Arrays.toString(r), clamp, i)
              .isCloseTo(reference[i], offset(1e-3f));
        }
      }
    }
  }

  @Test
  void resizingToTheSameSizeReproducesThePixels() {
    RgbImage image = noise(8, 5);
    float[] same = Resampler.resize(image, 0, 0, 8, 5, 8, 5, true);
    for (int i = 0; i < same.length; i++) {
      assertThat(same[i]).isEqualTo(image.rgb()[i] & 0xFF);
    }
  }
}
