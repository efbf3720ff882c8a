package dev.semblance.benchmarks;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.graph.GraphGallery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times {@code identify(probe, 10)} on a graph gallery that {@link GraphComparison} built and
 * saved, without building it again: the choosing half's probes, two rounds at each width. For
 * comparing JVM settings (such as {@code -XX:+UseTransparentHugePages}) on the same graph, run
 * after run.
 *
 * <pre>
 * java -cp benchmarks.jar dev.semblance.benchmarks.SavedGraphTiming DIR N WIDTH...
 * </pre>
 *
 * where DIR and N are those given to {@code GraphComparison}.
 */
public final class SavedGraphTiming {
  private SavedGraphTiming() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    String n = args[1];
    List<Embedding> probes = choosingProbes(dir);
    for (int i = 2; i < args.length; i++) {
      int width = Integer.parseInt(args[i]);
      try (Gallery gallery =
          GraphGallery.builder(dir.resolve("graph-" + n)).searchWidth(width).open()) {
        for (int round = 0; round < 2; round++) {
          long[] nanos = new long[probes.size()];
          for (int p = 0; p < nanos.length; p++) {
            long start = System.nanoTime();
            gallery.identify(probes.get(p), 10);
            nanos[p] = System.nanoTime() - start;
          }
          Arrays.sort(nanos);
          System.out.printf(
              "width %d round %d single_ms p50 %.2f p95 %.2f (%d probes)%n",
              width,
              round,
              nanos[nanos.length / 2] / 1e6,
              nanos[nanos.length * 95 / 100] / 1e6,
              nanos.length);
        }
      }
    }
  }

  /** The probes of half 0 from the files {@code GraphComparison} writes for FAISS. */
  private static List<Embedding> choosingProbes(Path dir) throws IOException {
    FloatBuffer vectors =
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("probes.f32")))
            .order(ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer();
    List<String> lines = Files.readAllLines(dir.resolve("probes.tsv"));
    int d = vectors.remaining() / lines.size();
    List<Embedding> out = new ArrayList<>();
    for (String line : lines) {
      float[] v = new float[d];
      vectors.get(v);
      if (line.startsWith("0\t")) {
        out.add(Embedding.of(v));
      }
    }
    return out;
  }
}
