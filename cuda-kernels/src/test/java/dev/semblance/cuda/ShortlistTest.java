package dev.semblance.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Encoder;
import dev.semblance.spi.AcceleratedIndex.Candidates;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.indexer.HalfIndexer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tensor-core search's shortlists, worked on the CPU as the GPU computes them (query and rows
 * rounded to half, products summed in float32) on real faces: lfw-dev people enrolled from their
 * first photo among 20,000 distractors made as the OpenSearch benchmark makes them, probed with
 * their other photos and with strangers. The floor from a sample and the cut by ε must keep every
 * row of each probe's exact top c, and the gallery's check must accept every list.
 */
class ShortlistTest {
  private static final int C = 26; // what a gallery asks for k = 10: max(2k, k + 16)
  private static final int DISTRACTORS = 12_000;
  private static final int SAMPLE = 4_096;

  private static final List<float[]> rows = new ArrayList<>();
  private static final List<float[]> probes = new ArrayList<>();

  @BeforeAll
  static void encode() throws IOException {
    Path images = TestData.dir("lfw-dev/images");
    List<float[]> pool = new ArrayList<>();
    try (Encoder encoder = Encoder.builder().build();
        Stream<Path> dirs = Files.list(images).sorted()) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
          files = list.sorted().toList();
        }
        if (files.size() >= 2 && rows.size() < 300) {
          rows.add(encoder.encodeMainFace(files.get(0)).embedding().toArray());
          for (Path probe : files.subList(1, Math.min(files.size(), 3))) {
            probes.add(encoder.encodeMainFace(probe).embedding().toArray());
          }
        } else if (files.size() == 1 && pool.size() < 300) {
          pool.add(encoder.encodeMainFace(files.get(0)).embedding().toArray());
        } else if (files.size() == 1 && probes.size() < 700) {
          probes.add(encoder.encodeMainFace(files.get(0)).embedding().toArray()); // a stranger
        }
      }
    }
    Random random = new Random(29);
    int d = rows.get(0).length;
    for (int i = 0; i < DISTRACTORS; i++) {
      float[] a = pool.get(random.nextInt(pool.size()));
      float[] b = pool.get(random.nextInt(pool.size()));
      float[] v = new float[d];
      for (int j = 0; j < d; j++) {
        v[j] = a[j] + b[j] + (float) (random.nextGaussian() * 1.2 / Math.sqrt(d));
      }
      rows.add(unit(v));
    }
    // Distractors first, so that the sample (the first rows) holds hardly any enrolled face.
    rows.addAll(rows.subList(0, 300));
    rows.subList(0, 300).clear();
  }

  @Test
  void theShortlistsHoldEveryProbesExactTopAndPassTheGallerysCheck() {
    int d = rows.get(0).length;
    float[][] halfRows = new float[rows.size()][];
    float rowHalfError = 0;
    for (int r = 0; r < rows.size(); r++) {
      halfRows[r] = half(rows.get(r));
      rowHalfError = Math.max(rowHalfError, (float) distance(rows.get(r), halfRows[r]));
    }
    float reportedError = d * 0x1p-23f + 0x1p-20f; // a float32 index's errorBound()
    float gallerySlack = d * 0x1p-22f + 0x1p-22f;
    long keptTotal = 0, collectedTotal = 0;
    int widest = 0, missedWithoutTheArgument = 0;
    for (float[] probe : probes) {
      float[] halfProbe = half(probe);
      float epsilon = Shortlist.epsilon(d, norm(probe), distance(probe, halfProbe), rowHalfError);
      float[] approx = new float[rows.size()];
      double[] exact = new double[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        float sum = 0;
        for (int i = 0; i < d; i++) {
          sum += halfProbe[i] * halfRows[r][i];
        }
        approx[r] = sum;
        exact[r] = dot(probe, rows.get(r));
      }
      float[] sample = Arrays.copyOf(approx, SAMPLE);
      Arrays.sort(sample);
      float floor = Shortlist.floor(sample[SAMPLE - C], epsilon, d);
      float[] listScores = new float[rows.size()];
      int[] listRows = new int[rows.size()];
      int count = 0;
      for (int r = 0; r < rows.size(); r++) {
        if (approx[r] >= floor) {
          listScores[count] = approx[r];
          listRows[count++] = r;
        }
      }
      Candidates kept =
          Shortlist.keep(listScores, listRows, count, C, floor, epsilon, d, reportedError);

      int[] exactTop = topRows(exact, C);
      Set<Integer> shortlisted = new HashSet<>();
      for (int r : kept.rows()) {
        shortlisted.add(r);
      }
      for (int r : exactTop) {
        assertThat(shortlisted).as("row %s of a probe's exact top %s", r, C).contains(r);
      }
      double cth = exact[exactTop[C - 1]];
      assertThat(cth).isGreaterThanOrEqualTo(kept.excludedBound() + reportedError + gallerySlack);
      for (int r = 0; r < rows.size(); r++) {
        if (!shortlisted.contains(r)) {
          assertThat(exact[r]).isLessThanOrEqualTo(kept.excludedBound() + reportedError);
        }
      }
      // The same list cut at the c-th approximate score alone, as a fixed width would be.
      int[] approxTop = topRows(toDouble(approx), C);
      Set<Integer> fixed = new HashSet<>();
      for (int r : approxTop) {
        fixed.add(r);
      }
      for (int r : exactTop) {
        if (!fixed.contains(r)) {
          missedWithoutTheArgument++;
          break;
        }
      }
      keptTotal += kept.rows().length;
      collectedTotal += count;
      widest = Math.max(widest, kept.rows().length);
    }
    System.out.printf(
        "%d probes, %d rows: rows kept %.1f on average (widest %d) of %.1f collected above the"
            + " floor; a list of the %d best approximate scores alone missed a row of the exact"
            + " top %d for %d probes%n",
        probes.size(),
        rows.size(),
        (double) keptTotal / probes.size(),
        widest,
        (double) collectedTotal / probes.size(),
        C,
        C,
        missedWithoutTheArgument);
    assertThat(missedWithoutTheArgument)
        .as("half rounding changes which rows are the top %s (else this test shows nothing)", C)
        .isPositive();
  }

  private static int[] topRows(double[] scores, int c) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    int[] top = new int[c];
    for (int i = 0; i < c; i++) {
      top[i] = order[i];
    }
    return top;
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static float[] half(float[] v) {
    float[] h = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      h[i] = HalfIndexer.toFloat(HalfIndexer.fromFloat(v[i]));
    }
    return h;
  }

  private static float[] unit(float[] v) {
    double n = norm(v);
    for (int i = 0; i < v.length; i++) {
      v[i] /= n;
    }
    return v;
  }

  private static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double e = (double) a[i] - b[i];
      s += e * e;
    }
    return Math.sqrt(s);
  }
}
