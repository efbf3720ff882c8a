package dev.semblance.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.ChannelOrder;
import dev.semblance.internal.geometry.SimilarityTransform;
import dev.semblance.internal.image.RgbImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AlignmentTest {

  @Test
  void alignmentBringsTheFivePointsOntoTheTemplate() {
    // Paint five bright dots where a rotated, scaled, shifted "face" has its five points.
    SimilarityTransform pose =
        new SimilarityTransform(2.5 * Math.cos(0.4), 2.5 * Math.sin(0.4), 130, 40);
    int w = 500;
    int h = 420;
    byte[] rgb = new byte[w * h * 3];
    double[][] five = new double[5][];
    for (int i = 0; i < 5; i++) {
      five[i] = pose.apply(FacePipeline.TEMPLATE_112[i][0], FacePipeline.TEMPLATE_112[i][1]);
      int cx = (int) Math.round(five[i][0]);
      int cy = (int) Math.round(five[i][1]);
      for (int y = cy - 3; y <= cy + 3; y++) {
        for (int x = cx - 3; x <= cx + 3; x++) {
          rgb[(y * w + x) * 3 + i % 3] = (byte) 255;
        }
      }
      five[i] = new double[] {cx, cy};
    }
    float[] aligned = FacePipeline.align(new RgbImage(w, h, rgb), five, 112, 112);
    for (int i = 0; i < 5; i++) {
      int x = (int) Math.round(FacePipeline.TEMPLATE_112[i][0]);
      int y = (int) Math.round(FacePipeline.TEMPLATE_112[i][1]);
      assertThat(aligned[(y * 112 + x) * 3 + i % 3]).as("point %s", i).isGreaterThan(200f);
    }
    // Far from the points the aligned face is dark.
    assertThat(aligned[(5 * 112 + 5) * 3]).isZero();
  }

  @Test
  void alignmentOutsideTheImageIsBlack() {
    byte[] white = new byte[20 * 20 * 3];
    Arrays.fill(white, (byte) 255);
    double[][] five = new double[5][];
    for (int i = 0; i < 5; i++) {
      // The face sits exactly on the template: output pixel (u, v) samples source (u, v).
      five[i] = FacePipeline.TEMPLATE_112[i].clone();
    }
    float[] aligned = FacePipeline.align(new RgbImage(20, 20, white), five, 112, 112);
    assertThat(aligned[(2 * 112 + 2) * 3]).isEqualTo(255f);
    assertThat(aligned[(111 * 112 + 111) * 3]).isZero();
    assertThat(aligned[(2 * 112 + 60) * 3]).isZero();
  }

  @Test
  void mirroringFlipsEachRowOfEachPlane() {
    float[] planes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // 3 planes of 2×2
    assertThat(FacePipeline.mirrored(planes, 2, 2))
        .containsExactly(2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11);
  }

  @Test
  void planesFollowTheChannelOrderAndNormalisation() {
    float[] rgb = {10, 20, 30, 40, 50, 60}; // two pixels
    assertThat(FacePipeline.planes(rgb, 2, 1, ChannelOrder.BGR, 0f, 10f))
        .containsExactly(3, 6, 2, 5, 1, 4);
    assertThat(FacePipeline.planes(rgb, 2, 1, ChannelOrder.RGB, 10f, 1f))
        .containsExactly(0, 30, 10, 40, 20, 50);
  }
}
