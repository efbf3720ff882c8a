package dev.semblance.cuda;

import dev.semblance.Acceleration;
import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.Identification;
import dev.semblance.InnerProducts;
import dev.semblance.spi.AcceleratedIndex.Candidates;
import dev.semblance.spi.NeighbourSearch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The GPU check that {@code cuda-kernels/gpu-check.sh} runs on a GPU machine: on N random unit
 * vectors (seeded), GPU top-k against the exact CPU search for Q ∈ {1, 64, 1024, 8192} (one query
 * on the memory-bound kernel, batches on the tensor cores), float32 and half storage, the L2
 * metric, and accelerated galleries against CPU galleries; kernel throughput as GB/s and FLOP/s;
 * then the exact 32-nearest-neighbour graph of all N rows from the tensor cores, its edges checked
 * against a CPU brute force on a sample of rows. Writes {@code gpu-check.txt} and {@code
 * gpu-check.json} to the output folder; exits 0 when every check passes, 1 when one fails, 2
 * without a usable GPU.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.semblance.cuda.GpuCheck OUT [N] [D]
 * </pre>
 */
public final class GpuCheck {
  private static final int K = 10;
  private static final int[] QUERY_COUNTS = {1, 64, 1024, 8192};

  /** Neighbours per row in the graph, and rows whose edges are checked against the CPU. */
  private static final int GRAPH_K = 32, GRAPH_CHECKED = 1000;

  /** Queries checked against the CPU per batch (all for the small batches). */
  private static final int CHECKED = 64;

  /**
   * H200: datasheet memory bandwidth, a measured device-to-device copy, the FP32 FMA peak and the
   * dense FP16/BF16 tensor-core peak (datasheet, without sparsity).
   */
  private static final double DATASHEET_GB_PER_S = 4800,
      COPY_GB_PER_S = 4300,
      FP32_PEAK_TFLOPS = 67,
      TENSOR_PEAK_TFLOPS = 989;

  private final Map<String, Object> results = new LinkedHashMap<>();
  private final StringBuilder text = new StringBuilder();
  private boolean passed = true;

  private GpuCheck() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "gpu-check-out");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int d = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    Files.createDirectories(out);
    GpuCheck check = new GpuCheck();
    int status = check.run(n, d);
    Files.writeString(out.resolve("gpu-check.txt"), check.text);
    Files.writeString(out.resolve("gpu-check.json"), check.json());
    System.exit(status);
  }

  private int run(int n, int d) {
    CudaAccelerator cuda = new CudaAccelerator();
    put("cpu_kernels", Gallery.searchKernel());
    if (!cuda.isAvailable()) {
      put("gpu", "none");
      put("reason", cuda.unavailableReason());
      return 2;
    }
    put("gpu", cuda.deviceName());
    put("rows", n);
    put("dimension", d);
    long t0 = System.nanoTime();
    float[][] rows = randomUnitRows(n, d, 20261128L);
    float[][] queries = randomUnitRows(8192, d, 7L);
    put("data_seconds", seconds(t0));

    t0 = System.nanoTime();
    Gallery cpu =
        Gallery.create(
            "gpu-check", d, GalleryOptions.defaults().withAcceleration(Acceleration.CPU));
    for (int i = 0; i < n; i++) {
      cpu.enroll(Integer.toString(i), Embedding.of(rows[i]));
    }
    put("cpu_gallery_seconds", seconds(t0));
    Map<Integer, List<Identification>> expected = new LinkedHashMap<>();
    for (int q : QUERY_COUNTS) {
      t0 = System.nanoTime();
      expected.put(q, cpu.identifyAll(embeddings(queries, Math.min(q, CHECKED)), K));
      put("cpu_exact_ms_per_query_q" + q, millis(t0) / Math.min(q, CHECKED));
    }

    Map<String, Double> oneQueryMs = new LinkedHashMap<>();
    for (boolean half : new boolean[] {false, true}) {
      String storage = half ? "f16" : "f32";
      try (CudaIndex index = CudaAccelerator.newIndex(d, half)) {
        t0 = System.nanoTime();
        for (float[] row : rows) {
          index.append(row);
        }
        index.search(new float[][] {queries[0]}, K); // flushes the upload
        put(storage + "_upload_seconds", seconds(t0));
        for (int q : QUERY_COUNTS) {
          float[][] batch = Arrays.copyOf(queries, q);
          boolean tensor = q > SearchPlan.FEW_QUERIES;
          checkCandidates(
              storage + "_q" + q,
              index.search(batch, K),
              expected.get(q),
              tensor ? index.tensorErrorBound() : index.errorBound(),
              tensor);
          double[] kernel = new double[q >= 1024 ? 5 : 20];
          double[] total = new double[kernel.length];
          for (int r = 0; r < kernel.length; r++) {
            long start = System.nanoTime();
            index.search(batch, K);
            total[r] = millis(start);
            kernel[r] = index.lastKernelMillis();
          }
          double kernelMs = median(kernel), totalMs = median(total);
          double bytes = (double) n * d * (half ? 2 : 4);
          put(storage + "_q" + q + "_kernel_ms", kernelMs);
          put(storage + "_q" + q + "_end_to_end_ms", totalMs);
          double gbPerSecond = bytes / kernelMs / 1e6, tflops = 2.0 * n * d * q / kernelMs / 1e9;
          put(storage + "_q" + q + "_effective_GB_per_s", gbPerSecond);
          put(storage + "_q" + q + "_of_copy_bandwidth", gbPerSecond / COPY_GB_PER_S);
          put(storage + "_q" + q + "_of_datasheet_bandwidth", gbPerSecond / DATASHEET_GB_PER_S);
          put(storage + "_q" + q + "_TFLOP_per_s", tflops);
          put(storage + "_q" + q + "_of_fp32_peak", tflops / FP32_PEAK_TFLOPS);
          if (tensor) {
            put(storage + "_q" + q + "_of_tensor_peak", tflops / TENSOR_PEAK_TFLOPS);
            put(storage + "_q" + q + "_over_2026_11_30_batch", tflops / 15.4);
          } else {
            oneQueryMs.put(storage, kernelMs);
          }
        }
        if (!half) {
          checkSquaredL2(index, Arrays.copyOf(queries, CHECKED), rows);
        }
      }
    }
    put("f16_over_f32_q1_speed", oneQueryMs.get("f32") / oneQueryMs.get("f16"));
    neighbourGraph(rows);

    t0 = System.nanoTime();
    try (Gallery gpu =
        Gallery.create(
            "gpu-check", d, GalleryOptions.defaults().withAcceleration(Acceleration.GPU))) {
      for (int i = 0; i < n; i++) {
        gpu.enroll(Integer.toString(i), Embedding.of(rows[i]));
      }
      put("gpu_gallery_seconds", seconds(t0));
      for (int q : QUERY_COUNTS) {
        List<Embedding> probes = embeddings(queries, Math.min(q, CHECKED));
        boolean same = gpu.identifyAll(probes, K).equals(expected.get(q));
        put("gallery_q" + q + "_identical_to_cpu", same);
        passed &= same;
        long start = System.nanoTime();
        gpu.identifyAll(embeddings(queries, q), K);
        put("gallery_q" + q + "_ms", millis(start));
      }
      put("gallery_accelerated", gpu.isAccelerated());
      passed &= gpu.isAccelerated();
    }
    put("passed", passed);
    return passed ? 0 : 1;
  }

  /**
   * Recall of the GPU's top k against the exact CPU answer, and the largest score difference. A
   * tensor-core shortlist must hold every row of the exact top k.
   */
  private void checkCandidates(
      String name, Candidates[] found, List<Identification> exact, float bound, boolean tensor) {
    int hits = 0, total = 0;
    double worst = 0;
    for (int i = 0; i < exact.size(); i++) {
      Set<String> gpu = new HashSet<>();
      for (int r : found[i].rows()) {
        gpu.add(Integer.toString(r));
      }
      for (Candidate c : exact.get(i).candidates()) {
        total++;
        if (gpu.contains(c.identity())) {
          hits++;
          int at = indexOf(found[i].rows(), Integer.parseInt(c.identity()));
          worst = Math.max(worst, Math.abs(found[i].scores()[at] - c.similarity()));
        }
      }
    }
    double recall = (double) hits / total;
    put(name + "_recall_at_10", recall);
    put(name + "_max_score_error", worst);
    // Rows may swap places only where scores lie within the error bound of each other.
    boolean ok = worst <= bound && recall >= (tensor ? 1 : 0.99);
    if (tensor) {
      double listed = Arrays.stream(found).mapToInt(c -> c.rows().length).average().orElse(0);
      put(name + "_shortlist_rows", listed);
    }
    put(name + "_ok", ok);
    passed &= ok;
  }

  /**
   * The exact 32-nearest-neighbour graph of every row: shortlists from the tensor cores (as
   * clustering takes them), each re-scored exactly on the host's cores to its 32 best other rows;
   * then, for a sample of rows, the same edges from a CPU brute force over all rows.
   */
  private void neighbourGraph(float[][] rows) {
    int n = rows.length, d = rows[0].length;
    float[] packed = new float[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows[i], 0, packed, i * d, d);
    }
    int[][] edges = new int[n][];
    long t0 = System.nanoTime();
    int[][] shortlists;
    try (NeighbourSearch.Index index = new CudaNeighbourSearch().create(d)) {
      shortlists = index.add(packed, 0, n, GRAPH_K);
    }
    double gpuSeconds = seconds(t0);
    IntStream.range(0, n).parallel().forEach(i -> edges[i] = best(rows, i, shortlists[i]));
    put("graph_rows", n);
    put("graph_k", GRAPH_K);
    put("graph_gpu_seconds", gpuSeconds);
    put("graph_seconds", seconds(t0));
    put(
        "graph_shortlist_rows",
        Arrays.stream(shortlists).mapToInt(s -> s.length).average().orElse(0));

    t0 = System.nanoTime();
    int[] sample = new SplittableRandom(3).ints(GRAPH_CHECKED, 0, n).toArray();
    int[][] cpu = bruteForce(rows, sample);
    long differing =
        IntStream.range(0, sample.length)
            .filter(s -> !Arrays.equals(sorted(edges[sample[s]]), sorted(cpu[s])))
            .count();
    put("graph_cpu_checked_rows", GRAPH_CHECKED);
    put("graph_cpu_check_seconds", seconds(t0));
    put("graph_rows_whose_edges_differ_from_cpu", differing);
    passed &= differing == 0;
  }

  /** The GRAPH_K other rows of a shortlist with the highest exact scores. */
  private static int[] best(float[][] rows, int row, int[] shortlist) {
    Nearest nearest = new Nearest(row);
    for (int j : shortlist) {
      nearest.offer(j, InnerProducts.dot(rows[row], 0, rows[j], 0, rows[row].length));
    }
    return nearest.rows();
  }

  /**
   * Each sampled row's GRAPH_K nearest other rows by scoring every row, 50 sampled rows at a time
   * so that each pass over the rows serves 50 of them.
   */
  private static int[][] bruteForce(float[][] rows, int[] sample) {
    int[][] found = new int[sample.length][];
    int block = 50;
    IntStream.range(0, (sample.length + block - 1) / block)
        .parallel()
        .forEach(
            b -> {
              int from = b * block, to = Math.min(sample.length, from + block);
              Nearest[] nearest = new Nearest[to - from];
              for (int s = from; s < to; s++) {
                nearest[s - from] = new Nearest(sample[s]);
              }
              for (int j = 0; j < rows.length; j++) {
                for (int s = from; s < to; s++) {
                  float score = InnerProducts.dot(rows[sample[s]], 0, rows[j], 0, rows[j].length);
                  nearest[s - from].offer(j, score);
                }
              }
              for (int s = from; s < to; s++) {
                found[s] = nearest[s - from].rows();
              }
            });
    return found;
  }

  /** The GRAPH_K best rows other than one, kept by insertion into a short sorted list. */
  private static final class Nearest {
    private final int self;
    private final int[] rows = new int[GRAPH_K];
    private final float[] scores = new float[GRAPH_K];
    private int size;

    Nearest(int self) {
      this.self = self;
    }

    void offer(int row, float score) {
      if (row == self || (size == GRAPH_K && score <= scores[size - 1])) {
        return;
      }
      int at = size < GRAPH_K ? size++ : size - 1;
      while (at > 0 && scores[at - 1] < score) {
        rows[at] = rows[at - 1];
        scores[at] = scores[at - 1];
        at--;
      }
      rows[at] = row;
      scores[at] = score;
    }

    int[] rows() {
      return Arrays.copyOf(rows, size);
    }
  }

  private static int[] sorted(int[] values) {
    int[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }

  private void checkSquaredL2(CudaIndex index, float[][] batch, float[][] rows) {
    Candidates[] inner = index.search(batch, K);
    Candidates[] l2 = index.search(batch, K, CudaIndex.Metric.NEGATIVE_SQUARED_L2);
    double worst = 0;
    boolean sameOrder = true;
    for (int i = 0; i < batch.length; i++) {
      sameOrder &= Arrays.equals(inner[i].rows(), l2[i].rows());
      for (int j = 0; j < l2[i].rows().length; j++) {
        float[] x = rows[l2[i].rows()[j]];
        double exact = 0;
        for (int t = 0; t < x.length; t++) {
          double diff = (double) batch[i][t] - x[t];
          exact -= diff * diff;
        }
        worst = Math.max(worst, Math.abs(exact - l2[i].scores()[j]));
      }
    }
    // For unit vectors −‖q − x‖² = 2 q·x − 2: same ranking as the inner product.
    put("f32_l2_same_ranking_as_inner_product", sameOrder);
    put("f32_l2_max_score_error", worst);
    boolean ok = worst < 1e-4;
    passed &= ok;
  }

  private static float[][] randomUnitRows(int n, int d, long seed) {
    float[][] rows = new float[n][];
    int blocks = 256;
    IntStream.range(0, blocks)
        .parallel()
        .forEach(
            b -> {
              SplittableRandom random = new SplittableRandom(seed * 1_000_003L + b);
              for (int i = b; i < n; i += blocks) {
                float[] v = new float[d];
                double norm = 0;
                for (int t = 0; t < d; t++) {
                  v[t] = (float) random.nextGaussian();
                  norm += (double) v[t] * v[t];
                }
                float inverse = (float) (1 / Math.sqrt(norm));
                for (int t = 0; t < d; t++) {
                  v[t] *= inverse;
                }
                rows[i] = v;
              }
            });
    return rows;
  }

  private static List<Embedding> embeddings(float[][] vectors, int count) {
    List<Embedding> result = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      result.add(Embedding.of(vectors[i]));
    }
    return result;
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static double millis(long start) {
    return (System.nanoTime() - start) / 1e6;
  }

  private void put(String key, Object value) {
    results.put(key, value);
    String shown =
        value instanceof Double v ? String.format(Locale.ROOT, "%.4g", v) : String.valueOf(value);
    String line = key + " " + shown;
    text.append(line).append('\n');
    System.out.println(line);
  }

  private String json() {
    StringBuilder json = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, Object> e : results.entrySet()) {
      Object v = e.getValue();
      String value =
          v instanceof Number || v instanceof Boolean
              ? String.valueOf(v)
              : "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      json.append("  \"")
          .append(e.getKey())
          .append("\": ")
          .append(value)
          .append(++i < results.size() ? ",\n" : "\n");
    }
    return json.append("}\n").toString();
  }
}
