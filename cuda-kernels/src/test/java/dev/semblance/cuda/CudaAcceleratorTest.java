package dev.semblance.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Acceleration;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.Identification;
import dev.semblance.SemblanceException;
import dev.semblance.TemplateStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Selection between GPU and CPU through the gallery's public options. Without a GPU (as on the
 * build machines) galleries must quietly search on the CPU, and forcing the GPU must fail with the
 * reason; with a GPU, accelerated galleries must answer exactly as CPU ones.
 */
class CudaAcceleratorTest {
  private static final CudaAccelerator CUDA = new CudaAccelerator();

  @Test
  void withoutAGpuGalleriesSearchOnTheCpuAndSayWhyWhenForced() {
    assumeFalse(CUDA.isAvailable(), "a GPU is present: " + CUDA.deviceName());
    assertThat(CUDA.unavailableReason()).isNotBlank();
    try (Gallery auto = Gallery.create("test", 16)) {
      assertThat(auto.isAccelerated()).isFalse();
      Embedding e = unit(new SplittableRandom(1), 16);
      auto.enroll("a", e);
      assertThat(auto.identify(e, 1).candidates().get(0).identity()).isEqualTo("a");
    }
    assertThatThrownBy(
            () ->
                Gallery.create(
                    "test", 16, GalleryOptions.defaults().withAcceleration(Acceleration.GPU)))
        .isInstanceOf(SemblanceException.class)
        .hasMessageContaining("a GPU was required")
        .hasMessageContaining("cuda: " + CUDA.unavailableReason());
    assertThatThrownBy(() -> CudaAccelerator.newIndex(16, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no usable CUDA GPU");
  }

  @Test
  void onAGpuAcceleratedGalleriesAnswerExactlyAsCpuOnes() {
    assumeTrue(CUDA.isAvailable(), "no CUDA GPU here: " + CUDA.unavailableReason());
    SplittableRandom random = new SplittableRandom(9);
    for (TemplateStorage storage : TemplateStorage.values()) {
      try (Gallery gpu =
              Gallery.create(
                  "test",
                  128,
                  GalleryOptions.defaults()
                      .withStorage(storage)
                      .withAcceleration(Acceleration.GPU));
          Gallery cpu =
              Gallery.create(
                  "test",
                  128,
                  GalleryOptions.defaults()
                      .withStorage(storage)
                      .withAcceleration(Acceleration.CPU))) {
        assertThat(gpu.isAccelerated()).isTrue();
        for (int i = 0; i < 20_000; i++) {
          Embedding e = unit(random, 128);
          gpu.enroll("id-" + i, e);
          cpu.enroll("id-" + i, e);
        }
        for (int i = 0; i < 20_000; i += 3) {
          gpu.remove("id-" + i);
          cpu.remove("id-" + i);
        }
        List<Embedding> probes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          probes.add(unit(random, 128));
        }
        List<Identification> expected = cpu.identifyAll(probes, 10);
        assertThat(gpu.identifyAll(probes, 10)).isEqualTo(expected);
        assertThat(gpu.identify(probes.get(0), 10)).isEqualTo(expected.get(0));
      }
    }
  }

  private static Embedding unit(SplittableRandom random, int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }
}
