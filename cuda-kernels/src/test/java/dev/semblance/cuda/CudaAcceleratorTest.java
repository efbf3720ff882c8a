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
import dev.semblance.spi.AcceleratedIndex;
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
    assertThat(new CudaNeighbourSearch().isAvailableFor(512)).isFalse();
  }

  @Test
  void onAGpuTensorCoreShortlistsHoldEveryRowOfTheExactBest() {
    assumeTrue(CUDA.isAvailable(), "no CUDA GPU here: " + CUDA.unavailableReason());
    SplittableRandom random = new SplittableRandom(5);
    int d = 128, n = 50_000, c = 26;
    float[][] rows = new float[n][];
    float[] crowd = unit(random, d).toArray();
    for (int i = 0; i < n; i++) {
      // A fifth of the rows crowd around one face, so that its probes' lists overflow their
      // first places and are listed again.
      rows[i] = i % 5 == 0 ? near(crowd, random, 0.02) : unit(random, d).toArray();
    }
    float[][] probes = new float[200][];
    for (int i = 0; i < probes.length; i++) {
      probes[i] = i % 4 == 0 ? near(crowd, random, 0.02) : unit(random, d).toArray();
    }
    for (boolean half : new boolean[] {false, true}) {
      try (CudaIndex index = CudaAccelerator.newIndex(d, half)) {
        for (float[] row : rows) {
          index.append(row);
        }
        AcceleratedIndex.Candidates[] lists = index.search(probes, c);
        for (int p = 0; p < probes.length; p++) {
          double[] exact = new double[n];
          for (int r = 0; r < n; r++) {
            exact[r] = dot(probes[p], rows[r]);
          }
          Integer[] order = new Integer[n];
          for (int r = 0; r < n; r++) {
            order[r] = r;
          }
          java.util.Arrays.sort(order, (a, b) -> Double.compare(exact[b], exact[a]));
          List<Integer> listed = new ArrayList<>();
          for (int r : lists[p].rows()) {
            listed.add(r);
          }
          assertThat(listed)
              .as("probe %s, half %s", p, half)
              .contains(java.util.Arrays.copyOf(order, c));
          for (int r = 0; r < n; r++) {
            if (!listed.contains(r)) {
              assertThat(exact[r])
                  .isLessThanOrEqualTo(lists[p].excludedBound() + index.errorBound());
            }
          }
        }
      }
    }
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

  private static float[] near(float[] centre, SplittableRandom random, double spread) {
    float[] v = centre.clone();
    for (int i = 0; i < v.length; i++) {
      v[i] += (float) (random.nextGaussian() * spread / Math.sqrt(v.length));
    }
    return Embedding.of(v).toArray();
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static Embedding unit(SplittableRandom random, int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }
}
