package dev.semblance.benchmarks;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.evaluation.ClusteringQuality;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Clustering N faces with neighbours from the exact scan and from the graph index ({@code
 * semblance-graph} on the class path), for {@code benchmarks/graph/cluster-graph.sh}: all 4,992
 * lfw-dev faces (the folder is the person) among distractors built from them as {@link
 * GraphComparison} builds them. The clusters' BCubed F is measured on the real faces, for each half
 * of the people (by the parity of their name's hash) separately. Prints {@code key value} lines.
 *
 * <pre>
 * java -cp benchmarks.jar dev.semblance.benchmarks.ClusterComparison EMBEDDINGS.tsv N exact|index
 * </pre>
 */
public final class ClusterComparison {
  private static final long SEED = 20261206;

  private ClusterComparison() {}

  public static void main(String[] args) throws IOException {
    Path tsv = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    boolean index = args[2].equals("index");
    Map<String, List<float[]>> people = FaceVectors.read(tsv);
    List<FaceItem> faces = new ArrayList<>(n);
    List<String> truth = new ArrayList<>();
    List<float[]> pool = new ArrayList<>();
    people.forEach(
        (person, photos) -> {
          for (float[] v : photos) {
            faces.add(new FaceItem(Embedding.of(v), Double.NaN, person));
            truth.add(person);
          }
          if (photos.size() == 1) {
            pool.add(photos.get(0));
          }
        });
    int real = faces.size();
    Random random = new Random(SEED);
    while (faces.size() < n) {
      faces.add(
          new FaceItem(
              Embedding.of(FaceVectors.distractor(pool, random)), Double.NaN, "d" + faces.size()));
    }
    ClusteringOptions options =
        ClusteringOptions.defaults().withIndexAbove(index ? 0 : Integer.MAX_VALUE);
    long start = System.nanoTime();
    FaceClusters clusters = FaceClusters.of(faces, Calibration.bundled(), options);
    double seconds = (System.nanoTime() - start) / 1e9;
    int[] labels = Arrays.copyOf(clusters.labels(), real);
    System.out.printf(
        "cluster %s faces %d (real %d) seconds %.1f heap_mb %d%n",
        index ? "index" : "exact",
        n,
        real,
        seconds,
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    for (int half = 0; half < 2; half++) {
      List<String> kept = new ArrayList<>();
      List<Integer> keptLabels = new ArrayList<>();
      for (int i = 0; i < real; i++) {
        if (FaceVectors.half(truth.get(i)) == half) {
          kept.add(truth.get(i));
          keptLabels.add(labels[i]);
        }
      }
      ClusteringQuality q =
          ClusteringQuality.of(keptLabels.stream().mapToInt(Integer::intValue).toArray(), kept);
      System.out.printf(
          "cluster %s half %d bcubed_f %.4f precision %.4f recall %.4f people %d%n",
          index ? "index" : "exact",
          half,
          q.bcubedF(),
          q.bcubedPrecision(),
          q.bcubedRecall(),
          q.people());
    }
  }
}
