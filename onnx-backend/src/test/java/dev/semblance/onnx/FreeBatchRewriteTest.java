package dev.semblance.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.spi.ModelSession;
import dev.semblance.spi.SessionOptions;
import dev.semblance.spi.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FreeBatchRewriteTest {
  private static byte[] model(String name) throws IOException {
    try (InputStream in =
        FreeBatchRewriteTest.class.getResourceAsStream("/dev/semblance/models/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void theBundledEmbedderRunsBatchesThatEqualSingleRuns() throws IOException {
    OnnxBackend backend = new OnnxBackend();
    byte[] bytes = model("fr_feature.onnx");
    try (ModelSession pinned = backend.load(bytes, "pinned", new SessionOptions(1, false));
        ModelSession free = backend.load(bytes, "free", new SessionOptions(1, true))) {
      assertThat(pinned.maxBatch()).isEqualTo(1);
      assertThat(free.maxBatch()).isEqualTo(Integer.MAX_VALUE);
      assertThat(free.inputShape()).containsExactly(-1, 3, 112, 112);
      int per = 3 * 112 * 112;
      float[] batch = new float[5 * per];
      Random random = new Random(9);
      for (int i = 0; i < batch.length; i++) {
        batch[i] = random.nextFloat() * 2 - 1;
      }
      float[] batched =
          free.run(new Tensor(batch, new long[] {5, 3, 112, 112})).get("output").data();
      assertThat(batched).hasSize(5 * 512);
      for (int i = 0; i < 5; i++) {
        float[] one =
            pinned
                .run(
                    new Tensor(
                        Arrays.copyOfRange(batch, i * per, (i + 1) * per),
                        new long[] {1, 3, 112, 112}))
                .get("output")
                .data();
        for (int k = 0; k < 512; k++) {
          assertThat(batched[i * 512 + k]).isCloseTo(one[k], Offset.offset(1e-4f));
        }
      }
    }
  }

  @Test
  void graphsOfAnotherShapeAreLeftAlone() throws IOException {
    // The detector has two outputs and no final Reshape of the supported form.
    assertThat(FreeBatchRewrite.apply(model("fr_detect.onnx"))).isEmpty();
    assertThat(FreeBatchRewrite.apply(new byte[] {0x0A, 0x7F, 0x01})).isEmpty();
  }

  @Test
  void theWireFormatRoundTripsUnchanged() throws IOException {
    byte[] bytes = model("fr_landmark.onnx");
    assertThat(ProtoMessage.parse(bytes).toByteArray()).isEqualTo(bytes);
  }
}
