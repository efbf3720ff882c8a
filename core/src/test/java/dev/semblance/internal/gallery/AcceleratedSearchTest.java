package dev.semblance.internal.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.TemplateStorage;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.spi.AcceleratedIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The host side of accelerated search, with a stand-in device that scores in double precision plus
 * noise within its declared bound: the mirror stays in step, answers equal the CPU's, and a device
 * that fails is dropped without a wrong answer.
 */
class AcceleratedSearchTest {
  private static final int DIMENSION = 96;

  @Test
  void mirrorFollowsAppendsAndRemovals() {
    SplittableRandom random = new SplittableRandom(2);
    TemplateMatrix matrix = new TemplateMatrix(DIMENSION, TemplateStorage.FLOAT32, Kernels.get());
    for (int r = 0; r < 3000; r++) {
      matrix.append(r % 1000, TemplateMatrixTest.unit(random, DIMENSION)); // attached later: copied
    }
    NoisyDevice device = new NoisyDevice(1e-3f, 7);
    matrix.attach(device);
    for (int r = 0; r < 5000; r++) {
      matrix.append(1000 + r % 2000, TemplateMatrixTest.unit(random, DIMENSION));
    }
    for (int slot = 0; slot < 3000; slot += 7) {
      matrix.removeSlot(slot);
    }
    assertThat(device.rowCount()).isEqualTo(matrix.rowCount());
    for (int row = 0; row < matrix.rowCount(); row++) {
      assertThat(device.rows.get(row)).isEqualTo(matrix.copyOfRow(row));
    }
  }

  @Test
  void answersEqualTheCpuSearchIncludingWhenTheShortlistIsNotEnough() {
    SplittableRandom random = new SplittableRandom(3);
    TemplateMatrix accelerated =
        new TemplateMatrix(DIMENSION, TemplateStorage.FLOAT32, Kernels.get());
    TemplateMatrix plain = new TemplateMatrix(DIMENSION, TemplateStorage.FLOAT32, Kernels.get());
    NoisyDevice device = new NoisyDevice(2e-3f, 11);
    accelerated.attach(device);
    float[] crowded = TemplateMatrixTest.unit(random, DIMENSION);
    for (int r = 0; r < 6000; r++) {
      // Slot 0 has 60 near-copies of one face: a shortlist of 2k rows then holds one identity.
      float[] v = r < 60 ? near(random, crowded) : TemplateMatrixTest.unit(random, DIMENSION);
      int slot = r < 60 ? 0 : r;
      accelerated.append(slot, v);
      plain.append(slot, v);
    }
    float[][] probes = new float[50][];
    for (int q = 0; q < probes.length; q++) {
      probes[q] = q < 5 ? near(random, crowded) : TemplateMatrixTest.unit(random, DIMENSION);
    }
    TemplateMatrix.Result[] expected = plain.search(probes, 10, ForkJoinPool.commonPool(), 1);
    TemplateMatrix.Result[] found = accelerated.search(probes, 10, ForkJoinPool.commonPool(), 1);
    for (int q = 0; q < probes.length; q++) {
      assertThat(found[q].slots()).as("probe %s", q).isEqualTo(expected[q].slots());
      assertThat(found[q].scores()).as("probe %s", q).isEqualTo(expected[q].scores());
    }
    assertThat(device.searches).isEqualTo(1);
    assertThat(accelerated.unconfirmed.get())
        .as("crowded probes searched again on the CPU")
        .isBetween(5L, 10L);
    assertThat(accelerated.isAccelerated()).isTrue();
  }

  @Test
  void aFailingDeviceIsDroppedAndTheCpuAnswers() {
    SplittableRandom random = new SplittableRandom(4);
    TemplateMatrix matrix = new TemplateMatrix(DIMENSION, TemplateStorage.FLOAT32, Kernels.get());
    NoisyDevice device = new NoisyDevice(1e-3f, 5);
    device.failSearches = true;
    matrix.attach(device);
    for (int r = 0; r < 5000; r++) {
      matrix.append(r, TemplateMatrixTest.unit(random, DIMENSION));
    }
    float[] probe = TemplateMatrixTest.unit(random, DIMENSION);
    TemplateMatrix.Result result =
        matrix.search(new float[][] {probe}, 3, ForkJoinPool.commonPool(), 1)[0];
    assertThat(result.slots()).hasSize(3);
    assertThat(matrix.isAccelerated()).isFalse();
    assertThat(device.closed).isTrue();
    matrix.append(5000, probe); // later changes no longer reach the closed device
    assertThat(device.rowCount()).isEqualTo(5000);
  }

  private static float[] near(SplittableRandom random, float[] v) {
    float[] w = v.clone();
    for (int i = 0; i < w.length; i++) {
      w[i] += (float) (0.05 * random.nextGaussian() / Math.sqrt(w.length));
    }
    double norm = Math.sqrt(IntStream.range(0, w.length).mapToDouble(i -> w[i] * w[i]).sum());
    for (int i = 0; i < w.length; i++) {
      w[i] /= (float) norm;
    }
    return w;
  }

  /** Scores in double precision, then adds noise of at most {@code error}, as a device might. */
  private static final class NoisyDevice implements AcceleratedIndex {
    final List<float[]> rows = new ArrayList<>();
    final float error;
    final SplittableRandom noise;
    boolean failSearches;
    boolean closed;
    int searches;

    NoisyDevice(float error, long seed) {
      this.error = error;
      this.noise = new SplittableRandom(seed);
    }

    @Override
    public void append(float[] vector) {
      check();
      rows.add(vector.clone());
    }

    @Override
    public void move(int from, int to) {
      check();
      rows.set(to, rows.get(from));
    }

    @Override
    public void truncate(int rowCount) {
      check();
      rows.subList(rowCount, rows.size()).clear();
    }

    @Override
    public int rowCount() {
      return rows.size();
    }

    @Override
    public Candidates[] search(float[][] queries, int candidates) {
      check();
      searches++;
      if (failSearches) {
        throw new IllegalStateException("device lost");
      }
      Candidates[] out = new Candidates[queries.length];
      for (int q = 0; q < queries.length; q++) {
        float[] scores = new float[rows.size()];
        for (int r = 0; r < scores.length; r++) {
          double dot = 0;
          for (int i = 0; i < DIMENSION; i++) {
            dot += (double) queries[q][i] * rows.get(r)[i];
          }
          scores[r] = (float) (dot + (noise.nextDouble() * 2 - 1) * error * 0.99);
        }
        Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(r -> -scores[r]));
        int n = Math.min(candidates, order.length);
        int[] best = new int[n];
        float[] bestScores = new float[n];
        for (int i = 0; i < n; i++) {
          best[i] = order[i];
          bestScores[i] = scores[order[i]];
        }
        out[q] =
            new Candidates(
                best, bestScores, n < order.length ? scores[order[n]] : Float.NEGATIVE_INFINITY);
      }
      return out;
    }

    @Override
    public float errorBound() {
      return error;
    }

    @Override
    public void close() {
      closed = true;
    }

    private void check() {
      if (closed) {
        throw new IllegalStateException("closed");
      }
    }
  }
}
