package dev.semblance.benchmarks;

import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.InnerProducts;
import dev.semblance.graph.GraphGallery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times {@code identify(probe, 10)} on a graph gallery that {@link GraphComparison} built and
 * saved, without building it again: the choosing half's probes, two rounds at each width, with the
 * first pass ({@link GraphGallery.Builder#firstPass}) off and at its default, in turn. Besides the
 * times (all probes, then those exact search decides known and unknown apart), it prints how many
 * open-set decisions differ from exact search's and recall@10, from the files {@code
 * GraphComparison} wrote. For comparing settings (or JVM flags such as {@code
 * -XX:+UseTransparentHugePages}, run after run) on the same graph.
 *
 * <pre>
 * java -cp benchmarks.jar dev.semblance.benchmarks.SavedGraphTiming DIR N WIDTH...
 * </pre>
 *
 * where DIR and N are those given to {@code GraphComparison}.
 */
public final class SavedGraphTiming {
  private static final int K = 10;

  private SavedGraphTiming() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    String n = args[1];
    Exact exact = Exact.read(dir);
    for (int i = 2; i < args.length; i++) {
      int width = Integer.parseInt(args[i]);
      for (int firstPass : new int[] {0, GraphGallery.DEFAULT_FIRST_PASS_WIDTH}) {
        try (Gallery gallery =
            GraphGallery.builder(dir.resolve("graph-" + n))
                .searchWidth(width)
                .firstPass(firstPass)
                .open()) {
          for (int round = 0; round < 2; round++) {
            run(gallery, exact, width, firstPass, round);
          }
        }
      }
    }
  }

  private static void run(Gallery gallery, Exact exact, int width, int firstPass, int round) {
    List<Long> all = new ArrayList<>(), known = new ArrayList<>(), unknown = new ArrayList<>();
    int differs = 0;
    double recall = 0;
    float threshold = gallery.threshold();
    for (int p = 0; p < exact.probes.size(); p++) {
      long start = System.nanoTime();
      Identification found = gallery.identify(exact.probes.get(p), K);
      long nanos = System.nanoTime() - start;
      float[] best = exact.similarities[p];
      boolean exactKnown = best[0] >= threshold;
      all.add(nanos);
      (exactKnown ? known : unknown).add(nanos);
      // Scores are exact re-scores of the same float32 rows: equal similarity, same template.
      float foundBest = found.match().map(Candidate::similarity).orElse(Float.NaN);
      if (exactKnown != found.isKnown() || (exactKnown && Math.abs(foundBest - best[0]) > 1e-5)) {
        differs++;
      }
      int hits = 0;
      for (Candidate c : found.candidates()) {
        for (float s : best) {
          if (Math.abs(c.similarity() - s) <= 1e-5) {
            hits++;
            break;
          }
        }
      }
      recall += hits / (double) best.length;
    }
    System.out.printf(
        "width %d first_pass %d round %d single_ms p50 %.2f p95 %.2f (%d probes)"
            + " known p50 %.2f (%d) unknown p50 %.2f (%d) decision_differs %d recall10 %.4f%n",
        width,
        firstPass,
        round,
        percentile(all, 50),
        percentile(all, 95),
        all.size(),
        percentile(known, 50),
        known.size(),
        percentile(unknown, 50),
        unknown.size(),
        differs,
        recall / exact.probes.size());
  }

  private static double percentile(List<Long> nanos, int q) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length * q / 100] / 1e6;
  }

  /** The choosing half's probes and, for each, the similarities of its exact top 10, best first. */
  private record Exact(List<Embedding> probes, float[][] similarities) {
    static Exact read(Path dir) throws IOException {
      FloatBuffer vectors =
          ByteBuffer.wrap(Files.readAllBytes(dir.resolve("probes.f32")))
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer();
      ByteBuffer truth =
          ByteBuffer.wrap(Files.readAllBytes(dir.resolve("truth.i32")))
              .order(ByteOrder.LITTLE_ENDIAN);
      List<String> lines = Files.readAllLines(dir.resolve("probes.tsv"));
      int d = vectors.remaining() / lines.size();
      List<Embedding> probes = new ArrayList<>();
      List<float[]> similarities = new ArrayList<>();
      float[] template = new float[d];
      try (FileChannel gallery =
          FileChannel.open(dir.resolve("gallery.f32"), StandardOpenOption.READ)) {
        for (int p = 0; p < lines.size(); p++) {
          float[] v = new float[d];
          vectors.get(v);
          if (!lines.get(p).startsWith("0\t")) {
            continue;
          }
          float[] best = new float[K];
          int count = 0;
          for (int r = 0; r < K; r++) {
            int at = truth.getInt((p * K + r) * 4);
            if (at < 0) {
              continue;
            }
            FaceVectors.readRows(gallery, d, at, 1).get(template);
            best[count++] = InnerProducts.dot(v, 0, template, 0, d);
          }
          probes.add(Embedding.of(v));
          similarities.add(Arrays.copyOf(best, count));
        }
      }
      return new Exact(probes, similarities.toArray(new float[0][]));
    }
  }
}
