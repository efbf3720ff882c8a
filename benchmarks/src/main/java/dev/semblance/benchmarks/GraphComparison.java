package dev.semblance.benchmarks;

import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.evaluation.SyntheticFaces;
import dev.semblance.graph.GraphGallery;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Semblance's half of {@code benchmarks/graph/compare-graph.sh}: the exact in-memory gallery and
 * the graph gallery ({@code semblance-graph}) on the same faces, with the files the script hands to
 * FAISS. Real faces are the lfw-dev embeddings ({@code semblance embed}); people with two or more
 * photos are enrolled with their first and probed with the others, people with one photo are
 * strangers or the raw material of distractors (the normalised sum of two of them plus noise, as
 * the OpenSearch benchmark makes them) that fill the gallery to N. People fall in two halves by the
 * parity of their name's hash: the search width is chosen on the first half (the narrowest whose
 * open-set decisions all equal exact search's) and reported once on the second, with recall@10 and
 * rank-1 agreement beside it. Prints {@code key value} lines. With {@code gaussian} last, the
 * distractors are {@link SyntheticFaces} fitted to the same raw material instead: closer to real
 * faces than the sums, which crowd around their 965 sources.
 *
 * <pre>
 * java -cp benchmarks.jar dev.semblance.benchmarks.GraphComparison EMBEDDINGS.tsv DIR N [DEGREE BUILD_WIDTH [sums|gaussian]]
 * </pre>
 */
public final class GraphComparison {
  private static final int K = 10;
  private static final int BATCH = 64;
  private static final int[] WIDTHS = {100, 200, 400, 800, 1600, 3200};
  private static final long SEED = 20261206;

  private final List<String> names = new ArrayList<>();
  private final List<float[]> rows = new ArrayList<>();
  private final List<float[]> probes = new ArrayList<>();
  private final List<String> probeTruth = new ArrayList<>(); // enrolled name or "" (stranger)
  private final List<Integer> probeHalf = new ArrayList<>();

  private final String embedder;

  private GraphComparison(String embedder) {
    this.embedder = embedder;
  }

  public static void main(String[] args) throws IOException {
    Path tsv = Path.of(args[0]), dir = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    int degree = args.length > 3 ? Integer.parseInt(args[3]) : GraphGallery.DEFAULT_DEGREE;
    int buildWidth = args.length > 4 ? Integer.parseInt(args[4]) : GraphGallery.DEFAULT_BUILD_WIDTH;
    Files.createDirectories(dir);
    String embedder;
    try (Encoder encoder = Encoder.builder().build()) {
      embedder = encoder.embedderId(); // its open-set threshold tightens with N, as in use
    }
    GraphComparison data = new GraphComparison(embedder);
    data.load(tsv, n, args.length > 5 && args[5].equals("gaussian"));
    data.run(dir, n, degree, buildWidth);
  }

  private void load(Path tsv, int n, boolean gaussian) throws IOException {
    Map<String, List<float[]>> people = FaceVectors.read(tsv);
    List<float[]> pool = new ArrayList<>();
    int singles = 0;
    for (Map.Entry<String, List<float[]>> e : people.entrySet()) {
      List<float[]> photos = e.getValue();
      if (photos.size() >= 2) {
        names.add(e.getKey());
        rows.add(photos.get(0));
        for (float[] p : photos.subList(1, photos.size())) {
          probes.add(p);
          probeTruth.add(e.getKey());
          probeHalf.add(FaceVectors.half(e.getKey()));
        }
      } else if (singles++ % 2 == 0) {
        probes.add(photos.get(0));
        probeTruth.add("");
        probeHalf.add(FaceVectors.half(e.getKey()));
      } else {
        pool.add(photos.get(0));
      }
    }
    Random random = new Random(SEED);
    float[][] synthetic =
        gaussian
            ? SyntheticFaces.fit(pool.stream().map(Embedding::of).toList())
                .sample(Math.max(0, n - rows.size()), SEED)
            : null;
    for (int i = rows.size(), j = 0; i < n; i++, j++) {
      names.add("d" + i);
      rows.add(gaussian ? synthetic[j] : FaceVectors.distractor(pool, random));
    }
    System.out.println("distractors " + (gaussian ? "gaussian" : "sums"));
    System.out.printf(
        "data enrolled_people %d distractors %d probes %d (genuine %d, strangers %d) pool %d%n",
        people.values().stream().filter(p -> p.size() >= 2).count(),
        n - people.values().stream().filter(p -> p.size() >= 2).count(),
        probes.size(),
        probeTruth.stream().filter(t -> !t.isEmpty()).count(),
        probeTruth.stream().filter(String::isEmpty).count(),
        pool.size());
  }

  private Map<String, List<Embedding>> chunk(int from, int to) {
    Map<String, List<Embedding>> out = new LinkedHashMap<>();
    for (int i = from; i < to; i++) {
      out.put(names.get(i), List.of(Embedding.of(rows.get(i))));
    }
    return out;
  }

  private List<Embedding> probeEmbeddings() {
    return probes.stream().map(Embedding::of).toList();
  }

  private void run(Path dir, int n, int degree, int buildWidth) throws IOException {
    int d = rows.get(0).length;
    writeForFaiss(dir, d);
    List<Embedding> all = probeEmbeddings();

    // Exact: the in-memory gallery.
    long heapBefore = usedHeap();
    long start = System.nanoTime();
    List<Identification> exact;
    try (Gallery gallery = Gallery.create(embedder, d)) {
      for (int i = 0; i < n; i += 100_000) {
        gallery.enrollAll(chunk(i, Math.min(n, i + 100_000)));
      }
      System.out.printf("exact_build_s %.1f%n", (System.nanoTime() - start) / 1e9);
      System.out.printf("exact_heap_mb %d%n", (usedHeap() - heapBefore) >> 20);
      exact = gallery.identifyAll(all, K);
      timings("report_exact", gallery, all, 1);
    }
    writeTruth(dir, exact);

    // The graph gallery: built once, reopened at each width (the saved graph loads).
    Path graphDir = dir.resolve("graph-" + n);
    deleteTree(graphDir);
    heapBefore = usedHeap();
    start = System.nanoTime();
    try (Gallery gallery =
        GraphGallery.builder(graphDir).embedder(embedder, d).graph(degree, buildWidth).create()) {
      for (int i = 0; i < n; i += 100_000) {
        gallery.enrollAll(chunk(i, Math.min(n, i + 100_000)));
      }
      System.out.printf(
          "graph_build_s %.1f (degree %d, build width %d)%n",
          (System.nanoTime() - start) / 1e9, degree, buildWidth);
      System.out.printf("graph_heap_mb %d%n", (usedHeap() - heapBefore) >> 20);
      start = System.nanoTime();
    }
    System.out.printf("graph_save_s %.1f%n", (System.nanoTime() - start) / 1e9);
    System.out.printf("graph_disk_mb %d%n", size(graphDir) >> 20);

    int chosen = -1;
    for (int width : WIDTHS) {
      if (width == WIDTHS[0]) {
        heapBefore = usedHeap();
      }
      start = System.nanoTime();
      try (Gallery gallery =
          GraphGallery.builder(graphDir).graph(degree, buildWidth).searchWidth(width).open()) {
        if (width == WIDTHS[0]) {
          System.out.printf("graph_open_s %.1f%n", (System.nanoTime() - start) / 1e9);
        }
        List<Identification> found = gallery.identifyAll(all, K);
        if (width == WIDTHS[0]) { // the bytes, the edges both ways, the identity table
          System.out.printf("graph_open_heap_mb %d%n", (usedHeap() - heapBefore) >> 20);
        }
        Agreement choose = agreement(exact, found, 0);
        System.out.printf(
            "graph_width %d choose_recall10 %.4f choose_rank1_differs %d (strangers %d)"
                + " choose_decision_differs %d of %d%n",
            width,
            choose.recall,
            choose.rank1Differs,
            choose.strangerRank1Differs,
            choose.decisionDiffers,
            choose.probes);
        timings("graph_width_" + width + "_choose", gallery, all, 0);
        if (choose.decisionDiffers == 0) {
          chosen = width;
          Agreement report = agreement(exact, found, 1);
          System.out.printf(
              "report graph_width %d recall10 %.4f rank1_differs %d (strangers %d)"
                  + " decision_differs %d of %d%n",
              width,
              report.recall,
              report.rank1Differs,
              report.strangerRank1Differs,
              report.decisionDiffers,
              report.probes);
          timings("report_graph", gallery, all, 1);
          break;
        }
      }
    }
    if (chosen < 0) {
      System.out.println("report graph_width none of " + Arrays.toString(WIDTHS) + " agreed");
    }
  }

  private record Agreement(
      double recall, int rank1Differs, int decisionDiffers, int probes, int strangerRank1Differs) {}

  private Agreement agreement(List<Identification> exact, List<Identification> found, int half) {
    double recall = 0;
    int rank1 = 0, decision = 0, count = 0, strangers = 0;
    for (int p = 0; p < exact.size(); p++) {
      if (probeHalf.get(p) != half) {
        continue;
      }
      count++;
      Set<String> truth = new HashSet<>(names(exact.get(p)));
      List<String> got = names(found.get(p));
      recall += got.stream().filter(truth::contains).count() / (double) truth.size();
      if (!got.isEmpty() && !got.get(0).equals(names(exact.get(p)).get(0))) {
        rank1++;
        if (probeTruth.get(p).isEmpty()) {
          strangers++;
        }
      }
      if (!exact
          .get(p)
          .match()
          .map(Candidate::identity)
          .equals(found.get(p).match().map(Candidate::identity))) {
        decision++;
      }
    }
    return new Agreement(recall / count, rank1, decision, count, strangers);
  }

  private static List<String> names(Identification id) {
    return id.candidates().stream().map(Candidate::identity).toList();
  }

  /** Single-probe latency over one half's probes and batched throughput. */
  private void timings(String name, Gallery gallery, List<Embedding> all, int half) {
    List<Embedding> report = new ArrayList<>();
    for (int p = 0; p < all.size(); p++) {
      if (probeHalf.get(p) == half) {
        report.add(all.get(p));
      }
    }
    for (int i = 0; i < Math.min(50, report.size()); i++) {
      gallery.identify(report.get(i), K); // warm-up
    }
    long[] nanos = new long[report.size()];
    for (int i = 0; i < nanos.length; i++) {
      long t = System.nanoTime();
      gallery.identify(report.get(i), K);
      nanos[i] = System.nanoTime() - t;
    }
    Arrays.sort(nanos);
    long start = System.nanoTime();
    int batches = 0;
    for (int i = 0; i + BATCH <= report.size(); i += BATCH, batches++) {
      gallery.identifyAll(report.subList(i, i + BATCH), K);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "%s_single_ms p50 %.2f p95 %.2f (%d probes)%n",
        name, nanos[nanos.length / 2] / 1e6, nanos[nanos.length * 95 / 100] / 1e6, nanos.length);
    System.out.printf(
        "%s_batch%d_probes_per_s %.0f%n", name, BATCH, batches * BATCH / Math.max(1e-9, seconds));
  }

  private void writeForFaiss(Path dir, int d) throws IOException {
    writeRows(dir.resolve("gallery.f32"), rows, d);
    writeRows(dir.resolve("probes.f32"), probes, d);
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve("probes.tsv")))) {
      for (int p = 0; p < probes.size(); p++) {
        out.println(probeHalf.get(p) + "\t" + probeTruth.get(p));
      }
    }
  }

  /** The exact top-10 rows of every probe, for FAISS's recall. */
  private void writeTruth(Path dir, List<Identification> exact) throws IOException {
    Map<String, Integer> rowOf = new java.util.HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      rowOf.put(names.get(i), i);
    }
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(dir.resolve("truth.i32")))) {
      for (Identification id : exact) {
        for (int r = 0; r < K; r++) {
          out.writeInt(
              Integer.reverseBytes(
                  r < id.candidates().size() ? rowOf.get(id.candidates().get(r).identity()) : -1));
        }
      }
    }
  }

  private static void writeRows(Path file, List<float[]> vectors, int d) throws IOException {
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocate(d * 4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] v : vectors) {
        if (buffer.remaining() < d * 4) {
          buffer.flip();
          out.write(buffer);
          buffer.clear();
        }
        buffer.asFloatBuffer().put(v);
        buffer.position(buffer.position() + d * 4);
      }
      buffer.flip();
      out.write(buffer);
    }
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(f);
        }
      }
    }
  }
}
