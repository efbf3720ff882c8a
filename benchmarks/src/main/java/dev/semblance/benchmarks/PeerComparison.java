package dev.semblance.benchmarks;

import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.Identification;
import dev.semblance.TemplateStorage;
import dev.semblance.io.DurableFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Semblance's half of {@code benchmarks/compare-peers.sh}: loads the script's raw float32 gallery
 * and probes, times single and batched top-10 searches for each storage, and writes the answers for
 * the script to compare with FAISS. Prints {@code key value} lines.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.semblance.benchmarks.PeerComparison DIR N D
 * </pre>
 */
public final class PeerComparison {
  private static final int K = 10;
  private static final int SINGLE_QUERIES = 20;
  private static final int BATCH = 64;

  private PeerComparison() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]), d = Integer.parseInt(args[2]);
    float[][] gallery = read(dir.resolve("gallery.f32"), n, d);
    float[][] queries = read(dir.resolve("queries.f32"), BATCH, d);
    List<Embedding> probes = new ArrayList<>();
    for (float[] q : queries) {
      probes.add(Embedding.of(q));
    }
    System.out.println("semblance_kernels " + Gallery.searchKernel().replace(' ', '_'));
    for (TemplateStorage storage : TemplateStorage.values()) {
      Gallery g = Gallery.create("peers", d, GalleryOptions.defaults().withStorage(storage));
      for (int i = 0; i < n; i++) {
        g.enroll(Integer.toString(i), Embedding.of(gallery[i]));
      }
      String name = storage.name().toLowerCase(Locale.ROOT);
      // Warm the JIT on the full-size scan before timing.
      for (int i = 0; i < 10; i++) {
        g.identify(probes.get(i), K);
      }
      for (int i = 0; i < 3; i++) {
        g.identifyAll(probes, K);
      }
      // The previous storage's gallery is garbage now; collect it before timing, or the
      // collector's concurrent work competes with the scan for this machine's two cores.
      System.gc();
      double[] single = new double[SINGLE_QUERIES];
      for (int i = 0; i < SINGLE_QUERIES; i++) {
        long t0 = System.nanoTime();
        g.identify(probes.get(i % BATCH), K);
        single[i] = (System.nanoTime() - t0) / 1e6;
      }
      double[] batch = new double[5];
      List<Identification> answers = null;
      for (int i = 0; i < batch.length; i++) {
        long t0 = System.nanoTime();
        answers = g.identifyAll(probes, K);
        batch[i] = (System.nanoTime() - t0) / 1e6;
      }
      System.out.printf(Locale.ROOT, "semblance_%s_single_ms %.3f%n", name, median(single));
      System.out.printf(Locale.ROOT, "semblance_%s_batch64_ms %.3f%n", name, median(batch));
      List<Identification> ranked = answers;
      DurableFiles.replace(
          dir.resolve("semblance-" + name + ".ids"),
          stream -> {
            PrintWriter out =
                new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            for (Identification answer : ranked) {
              out.println(
                  String.join(" ", answer.candidates().stream().map(Candidate::identity).toList()));
            }
            out.flush();
          });
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static float[][] read(Path file, int rows, int d) throws IOException {
    float[][] result = new float[rows][d];
    try (FileChannel channel = FileChannel.open(file)) {
      long bytes = (long) rows * d * 4;
      if (channel.size() < bytes) {
        throw new IOException(file + " holds " + channel.size() + " bytes, expected " + bytes);
      }
      long rowsPerMap = Math.max(1, (1L << 30) / (4L * d));
      for (long start = 0; start < rows; start += rowsPerMap) {
        long count = Math.min(rowsPerMap, rows - start);
        FloatBuffer buffer =
            channel
                .map(FileChannel.MapMode.READ_ONLY, start * d * 4, count * d * 4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        for (int r = 0; r < count; r++) {
          buffer.get(result[(int) (start + r)]);
        }
      }
    }
    return result;
  }
}
