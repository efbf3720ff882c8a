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
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
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
 * rank-1 agreement beside it. Prints {@code key value} lines. With {@code gaussian}, the
 * distractors are {@link SyntheticFaces} fitted to the same raw material instead: closer to real
 * faces than the sums, which crowd around their 965 sources.
 *
 * <p>No step holds the N vectors on the heap, so that ten million (20 GB of float32) fit on a 24 GB
 * machine: the faces are written to {@code gallery.f32} a chunk at a time (and reused when a run
 * finds them there), the graph gallery is enrolled from that file, and exact search runs over it a
 * slice of a million at a time, the slices' best merged (timed only where one slice holds all).
 * With {@code resume}, a graph gallery left by an interrupted run is continued, not rebuilt: past
 * {@value #CHECKPOINT} rows the build closes the gallery (saving its graph) every so many rows.
 *
 * <pre>
 * java -cp benchmarks.jar dev.semblance.benchmarks.GraphComparison EMBEDDINGS.tsv DIR N [DEGREE BUILD_WIDTH [sums|gaussian] [resume]]
 * </pre>
 */
public final class GraphComparison {
  private static final int K = 10;
  private static final int BATCH = 64;
  private static final int[] WIDTHS = {100, 200, 400, 800, 1600, 3200};
  private static final long SEED = 20261206;

  /** Rows made, written, read and enrolled at a time. */
  private static final int CHUNK = 100_000;

  /** Rows of one exact gallery: 2 GB of float32. */
  private static final int SLICE = 1_000_000;

  /** A graph build this long is saved (the gallery closed and reopened) every so many rows. */
  private static final int CHECKPOINT = 2_500_000;

  private final List<String> names = new ArrayList<>(); // the enrolled people, rows 0 on
  private final List<float[]> enrolled = new ArrayList<>(); // their first photos
  private final List<float[]> pool = new ArrayList<>();
  private SyntheticFaces synthetic; // null: sums of two of the pool
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
    List<String> words = Arrays.asList(args).subList(Math.min(args.length, 5), args.length);
    GraphComparison data = new GraphComparison(embedder);
    data.load(tsv, n, words.contains("gaussian"));
    data.run(dir, n, degree, buildWidth, words.contains("resume"));
  }

  private void load(Path tsv, int n, boolean gaussian) throws IOException {
    Map<String, List<float[]>> people = FaceVectors.read(tsv);
    int singles = 0;
    for (Map.Entry<String, List<float[]>> e : people.entrySet()) {
      List<float[]> photos = e.getValue();
      if (photos.size() >= 2) {
        names.add(e.getKey());
        enrolled.add(photos.get(0));
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
    if (gaussian) {
      synthetic = SyntheticFaces.fit(pool.stream().map(Embedding::of).toList());
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

  /** The name row {@code row} is enrolled under. */
  private String name(int row) {
    return row < names.size() ? names.get(row) : "d" + row;
  }

  /** Rows {@code from} to {@code to - 1} of {@code gallery.f32}, each under its name. */
  private Map<String, List<Embedding>> chunk(FileChannel faces, int d, int from, int to)
      throws IOException {
    FloatBuffer floats = FaceVectors.readRows(faces, d, from, to - from);
    Map<String, List<Embedding>> out = new LinkedHashMap<>();
    for (int i = from; i < to; i++) {
      float[] v = new float[d];
      floats.get(v);
      out.put(name(i), List.of(Embedding.of(v)));
    }
    return out;
  }

  private List<Embedding> probeEmbeddings() {
    return probes.stream().map(Embedding::of).toList();
  }

  private void run(Path dir, int n, int degree, int buildWidth, boolean resume) throws IOException {
    int d = enrolled.get(0).length;
    Path faces = dir.resolve("gallery.f32");
    writeFaces(faces, n, d);
    writeProbes(dir, d);
    List<Embedding> all = probeEmbeddings();

    // The graph gallery: built once (or continued), reopened at each width (the saved graph loads).
    Path graphDir = dir.resolve("graph-" + n);
    float threshold = build(faces, graphDir, n, d, degree, buildWidth, resume);
    System.out.printf("graph_disk_mb %d%n", size(graphDir) >> 20);

    List<Identification> exact = exact(faces, n, d, all, threshold);
    writeTruth(dir, exact);

    int chosen = -1;
    long heapBefore = 0;
    for (int width : WIDTHS) {
      if (width == WIDTHS[0]) {
        heapBefore = usedHeap();
      }
      long start = System.nanoTime();
      // Every probe at the full width, as FAISS searches: recall@10 measures the index, and
      // SavedGraphTiming sets the first pass beside it on the saved graph.
      try (Gallery gallery =
          GraphGallery.builder(graphDir)
              .graph(degree, buildWidth)
              .searchWidth(width)
              .firstPass(0)
              .open()) {
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

  /**
   * Enrols the N faces into a graph gallery at {@code graphDir} and returns its open-set threshold.
   * With {@code resume}, the rows a gallery found there already holds are kept.
   */
  private float build(
      Path faces, Path graphDir, int n, int d, int degree, int buildWidth, boolean resume)
      throws IOException {
    GraphGallery.Builder builder =
        GraphGallery.builder(graphDir).embedder(embedder, d).graph(degree, buildWidth);
    long heapBefore = usedHeap();
    long start = System.nanoTime(), saving = 0;
    Gallery gallery;
    if (resume) {
      // Opening inserts into the saved graph the rows logged after it: what a crash costs.
      gallery = builder.openOrCreate();
      System.out.printf(
          "graph_resumed_at %d (opened in %.1f s)%n",
          gallery.templateCount(), (System.nanoTime() - start) / 1e9);
    } else {
      deleteTree(graphDir);
      gallery = builder.create();
    }
    int from = gallery.templateCount();
    float threshold;
    try (FileChannel in = FileChannel.open(faces, StandardOpenOption.READ)) {
      while (true) {
        int to = Math.min(n, (from / CHECKPOINT + 1) * CHECKPOINT);
        for (int i = from; i < to; i += CHUNK) {
          gallery.enrollAll(chunk(in, d, i, Math.min(to, i + CHUNK)));
        }
        threshold = gallery.threshold();
        if (to == n) {
          System.out.printf(
              "graph_build_s %.1f (degree %d, build width %d%s)%n",
              (System.nanoTime() - start - saving) / 1e9,
              degree,
              buildWidth,
              saving == 0
                  ? ""
                  : String.format(", %.1f s of checkpoints not counted", saving / 1e9));
          System.out.printf("graph_heap_mb %d%n", (usedHeap() - heapBefore) >> 20);
        }
        long closed = System.nanoTime();
        gallery.close();
        if (to == n) {
          System.out.printf("graph_save_s %.1f%n", (System.nanoTime() - closed) / 1e9);
          break;
        }
        gallery = builder.open(); // a checkpoint's closing and reopening are not the build's
        saving += System.nanoTime() - closed;
        System.out.printf(
            "graph_checkpoint %d rows at %.1f s%n", to, (System.nanoTime() - start) / 1e9);
        from = to;
      }
    }
    return threshold;
  }

  /**
   * Exact search (the in-memory {@link Gallery}) over the N faces a slice at a time, each probe's
   * best {@value #K} of all slices, decided at {@code threshold} (the gallery's at N).
   */
  private List<Identification> exact(Path faces, int n, int d, List<Embedding> all, float threshold)
      throws IOException {
    List<List<Candidate>> best = new ArrayList<>();
    all.forEach(p -> best.add(List.of()));
    try (FileChannel in = FileChannel.open(faces, StandardOpenOption.READ)) {
      for (int from = 0; from < n; from += SLICE) {
        int to = Math.min(n, from + SLICE);
        long heapBefore = usedHeap();
        long start = System.nanoTime();
        try (Gallery slice = Gallery.create(embedder, d)) {
          for (int i = from; i < to; i += CHUNK) {
            slice.enrollAll(chunk(in, d, i, Math.min(to, i + CHUNK)));
          }
          boolean whole = from == 0 && to == n;
          if (whole) {
            System.out.printf("exact_build_s %.1f%n", (System.nanoTime() - start) / 1e9);
            System.out.printf("exact_heap_mb %d%n", (usedHeap() - heapBefore) >> 20);
            System.out.printf(
                "exact_threshold %.4f graph_threshold %.4f%n", slice.threshold(), threshold);
          }
          List<Identification> found = slice.identifyAll(all, K);
          for (int p = 0; p < all.size(); p++) {
            List<Candidate> both = new ArrayList<>(best.get(p));
            both.addAll(found.get(p).candidates());
            both.sort(Comparator.comparingDouble(Candidate::similarity).reversed());
            best.set(p, List.copyOf(both.subList(0, Math.min(K, both.size()))));
          }
          if (whole) {
            timings("report_exact", slice, all, 1);
          }
        }
      }
      if (n > SLICE) {
        System.out.printf(
            "exact over %d slices of %d (not timed)%n", (n + SLICE - 1) / SLICE, SLICE);
      }
    }
    return best.stream().map(c -> new Identification(c, threshold)).toList();
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

  /**
   * Writes the N faces to {@code file} (the real ones first, then the distractors, made a chunk at
   * a time from one seed) unless a run left them there complete.
   */
  private void writeFaces(Path file, int n, int d) throws IOException {
    Path madeFile = file.resolveSibling(file.getFileName() + ".made"); // which faces it holds
    String kind = (synthetic != null ? "gaussian" : "sums") + " " + n;
    if (Files.exists(file)
        && Files.size(file) == (long) n * d * 4
        && Files.exists(madeFile)
        && Files.readString(madeFile).equals(kind)) {
      System.out.println("faces reused from " + file);
      return;
    }
    Path part = file.resolveSibling(file.getFileName() + ".part");
    Random random = new Random(SEED);
    try (FileChannel out =
        FileChannel.open(
            part,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeRows(out, enrolled.subList(0, Math.min(n, enrolled.size())), d);
      // Gaussian distractors come a million at a time, the first million from the seed itself.
      int size = synthetic != null ? SLICE : CHUNK;
      for (int from = enrolled.size(), c = 0; from < n; from += size, c++) {
        int count = Math.min(size, n - from);
        List<float[]> made = new ArrayList<>(count);
        if (synthetic != null) {
          made.addAll(Arrays.asList(synthetic.sample(count, SEED + c)));
        } else {
          for (int i = 0; i < count; i++) {
            made.add(FaceVectors.distractor(pool, random));
          }
        }
        writeRows(out, made, d);
      }
    }
    Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(madeFile, kind);
  }

  /** The probes, and for each its half and the person it shows ("" for a stranger), for FAISS. */
  private void writeProbes(Path dir, int d) throws IOException {
    try (FileChannel out =
        FileChannel.open(
            dir.resolve("probes.f32"),
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeRows(out, probes, d);
    }
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve("probes.tsv")))) {
      for (int p = 0; p < probes.size(); p++) {
        out.println(probeHalf.get(p) + "\t" + probeTruth.get(p));
      }
    }
  }

  /** The exact top-10 rows of every probe, for FAISS's recall. */
  private void writeTruth(Path dir, List<Identification> exact) throws IOException {
    Map<String, Integer> rowOf = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      rowOf.put(names.get(i), i);
    }
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(dir.resolve("truth.i32")))) {
      for (Identification id : exact) {
        for (int r = 0; r < K; r++) {
          out.writeInt(
              Integer.reverseBytes(
                  r < id.candidates().size() ? row(rowOf, id.candidates().get(r).identity()) : -1));
        }
      }
    }
  }

  private static int row(Map<String, Integer> realRows, String name) {
    Integer real = realRows.get(name);
    return real != null ? real : Integer.parseInt(name.substring(1)); // "d" + row
  }

  private static void writeRows(FileChannel out, List<float[]> vectors, int d) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(d * 4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      if (buffer.remaining() < d * 4) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        buffer.clear();
      }
      buffer.asFloatBuffer().put(v);
      buffer.position(buffer.position() + d * 4);
    }
    buffer.flip();
    while (buffer.hasRemaining()) {
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
