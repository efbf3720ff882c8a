package dev.semblance.internal.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.TemplateStorage;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.internal.vector.VectorKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scan's answers against a brute-force sort, for every storage, both kernels, one probe or
 * many, inline or on a pool: the same identities with bit-identical scores.
 */
class TemplateMatrixTest {
  private static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  @ParameterizedTest
  @EnumSource(TemplateStorage.class)
  void searchEqualsBruteForce(TemplateStorage storage) {
    for (VectorKernels kernels : kernels()) {
      for (int dimension : new int[] {3, 128, 513}) {
        for (int rows : new int[] {0, 1, 5, 1000, 9000}) {
          SplittableRandom random = new SplittableRandom(rows * 31L + dimension);
          TemplateMatrix matrix = new TemplateMatrix(dimension, storage, kernels);
          List<float[]> vectors = new ArrayList<>();
          List<Integer> owners = new ArrayList<>();
          for (int r = 0; r < rows; r++) {
            // About one identity in five has a second template.
            int slot = r > 0 && random.nextInt(5) == 0 ? owners.get(random.nextInt(r)) : r;
            float[] v = unit(random, dimension);
            matrix.append(slot, v);
            vectors.add(v);
            owners.add(slot);
          }
          float[][] probes = new float[70][];
          for (int q = 0; q < probes.length; q++) {
            // Some probes are near-copies of a template, as a mated probe would be.
            probes[q] =
                q % 3 == 0 && rows > 0
                    ? near(random, vectors.get(random.nextInt(rows)))
                    : unit(random, dimension);
          }
          for (int k : new int[] {1, 10}) {
            TemplateMatrix.Result[] batch = matrix.search(probes, k, pool, 2);
            for (int q = 0; q < probes.length; q++) {
              String what =
                  storage
                      + ", "
                      + kernels.name()
                      + ", d="
                      + dimension
                      + ", rows="
                      + rows
                      + ", k="
                      + k
                      + ", probe "
                      + q;
              TemplateMatrix.Result expected = bruteForce(kernels, vectors, owners, probes[q], k);
              TemplateMatrix.Result single =
                  matrix.search(new float[][] {probes[q]}, k, pool, 2)[0];
              TemplateMatrix.Result inline =
                  matrix.search(new float[][] {probes[q]}, k, pool, 0)[0];
              assertThat(single.slots()).as(what).isEqualTo(expected.slots());
              assertThat(single.scores()).as(what).isEqualTo(expected.scores());
              assertThat(inline.slots()).as(what).isEqualTo(expected.slots());
              assertThat(batch[q].slots()).as(what + " in a batch").isEqualTo(expected.slots());
              assertThat(batch[q].scores()).as(what + " in a batch").isEqualTo(expected.scores());
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TemplateStorage.class)
  void nearTiesAreResolvedExactly(TemplateStorage storage) {
    // Hundreds of templates whose scores differ by less than the quantisation error.
    int dimension = 256;
    SplittableRandom random = new SplittableRandom(11);
    float[] probe = unit(random, dimension);
    TemplateMatrix matrix = new TemplateMatrix(dimension, storage, Kernels.get());
    List<float[]> vectors = new ArrayList<>();
    List<Integer> owners = new ArrayList<>();
    for (int r = 0; r < 800; r++) {
      float[] v = near(random, probe, 0.02);
      matrix.append(r, v);
      vectors.add(v);
      owners.add(r);
    }
    TemplateMatrix.Result expected = bruteForce(Kernels.get(), vectors, owners, probe, 10);
    assertThat(matrix.search(new float[][] {probe}, 10, pool, 2)[0].slots())
        .isEqualTo(expected.slots());
    assertThat(matrix.search(new float[][] {probe, probe}, 10, pool, 2)[1].scores())
        .isEqualTo(expected.scores());
  }

  @ParameterizedTest
  @EnumSource(TemplateStorage.class)
  void removalMovesRowsAndWipesTheFreedOnes(TemplateStorage storage) {
    int dimension = 64;
    SplittableRandom random = new SplittableRandom(17);
    TemplateMatrix matrix = new TemplateMatrix(dimension, storage, Kernels.get());
    List<float[]> vectors = new ArrayList<>();
    List<Integer> owners = new ArrayList<>();
    for (int r = 0; r < 40_000; r++) { // dozens of chunks of 1,024 rows
      int slot = r % 13_000;
      float[] v = unit(random, dimension);
      matrix.append(slot, v);
      vectors.add(v);
      owners.add(slot);
    }
    for (int slot = 0; slot < 13_000; slot += 3) {
      matrix.removeSlot(slot);
    }
    List<float[]> keptVectors = new ArrayList<>();
    List<Integer> keptOwners = new ArrayList<>();
    for (int r = 0; r < vectors.size(); r++) {
      if (owners.get(r) % 3 != 0) {
        keptVectors.add(vectors.get(r));
        keptOwners.add(owners.get(r));
      }
    }
    assertThat(matrix.rowCount()).isEqualTo(keptVectors.size());
    assertThat(matrix.rowsOf(3)).isEmpty();
    assertThat(matrix.rowsOf(4))
        .hasSize(4)
        .anySatisfy(v -> assertThat(v).isEqualTo(vectors.get(4)));
    for (int q = 0; q < 20; q++) {
      float[] probe =
          q % 2 == 0
              ? near(random, vectors.get(random.nextInt(vectors.size())))
              : unit(random, dimension);
      TemplateMatrix.Result expected = bruteForce(Kernels.get(), keptVectors, keptOwners, probe, 5);
      TemplateMatrix.Result found = matrix.search(new float[][] {probe}, 5, pool, 2)[0];
      assertThat(found.slots()).isEqualTo(expected.slots());
      assertThat(found.scores()).isEqualTo(expected.scores());
    }
    matrix.removeSlot(3); // already gone: nothing happens
    for (int slot = 0; slot < 13_000; slot++) {
      matrix.removeSlot(slot);
    }
    assertThat(matrix.rowCount()).isZero();
    assertThat(matrix.search(new float[][] {vectors.get(0)}, 3, pool, 2)[0].slots()).isEmpty();
  }

  @Test
  void aRejectingExecutorOnlyMeansNoHelp() {
    TemplateMatrix matrix = new TemplateMatrix(512, TemplateStorage.FLOAT32, Kernels.get());
    SplittableRandom random = new SplittableRandom(1);
    for (int r = 0; r < 5000; r++) {
      matrix.append(r, unit(random, 512));
    }
    float[] probe = unit(random, 512);
    TemplateMatrix.Result expected = matrix.search(new float[][] {probe}, 3, pool, 0)[0];
    TemplateMatrix.Result rejected =
        matrix
            .search(
                new float[][] {probe},
                3,
                task -> {
                  throw new RejectedExecutionException("full");
                },
                4)[0];
    assertThat(rejected.slots()).isEqualTo(expected.slots());
  }

  @Test
  void aFailingSliceFailsTheSearch() {
    assertThatThrownBy(
            () ->
                Parallel.run(
                    8,
                    pool,
                    2,
                    t -> {
                      if (t == 5) {
                        throw new IllegalStateException("slice 5");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("slice 5");
  }

  private static TemplateMatrix.Result bruteForce(
      VectorKernels kernels, List<float[]> vectors, List<Integer> owners, float[] probe, int k) {
    Map<Integer, Float> best = new HashMap<>();
    for (int r = 0; r < vectors.size(); r++) {
      float s = kernels.dot(probe, 0, vectors.get(r), 0, probe.length);
      best.merge(owners.get(r), s, Math::max);
    }
    int[] slots =
        best.entrySet().stream()
            .sorted(
                Map.Entry.<Integer, Float>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(k)
            .mapToInt(Map.Entry::getKey)
            .toArray();
    float[] scores = new float[slots.length];
    IntStream.range(0, slots.length).forEach(i -> scores[i] = best.get(slots[i]));
    return new TemplateMatrix.Result(slots, scores);
  }

  private static List<VectorKernels> kernels() {
    List<VectorKernels> all = new ArrayList<>(List.of(Kernels.scalar()));
    Kernels.panama().ifPresent(all::add);
    return all;
  }

  static float[] unit(SplittableRandom random, int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return normalise(v);
  }

  private static float[] near(SplittableRandom random, float[] v) {
    return near(random, v, 0.5);
  }

  private static float[] near(SplittableRandom random, float[] v, double noise) {
    float[] w = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      w[i] = v[i] + (float) (noise * random.nextGaussian() / Math.sqrt(v.length));
    }
    return normalise(w);
  }

  private static float[] normalise(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float inverse = (float) (1 / Math.sqrt(norm));
    float[] out = Arrays.copyOf(v, v.length);
    for (int i = 0; i < out.length; i++) {
      out[i] *= inverse;
    }
    return out;
  }
}
