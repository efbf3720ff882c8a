package dev.semblance.spark;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.evaluation.ClusteringQuality;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Side-by-side measurements for docs/scale.md (run by spark/scale-check.sh, never by the tests):
 * the same work on one JVM with the library and as Spark jobs in local mode.
 *
 * <pre>
 * encode IMAGES N               N LFW images: encodeAll vs local[1] vs local[2], faces per second
 * identify N Q [N Q]...         Q probes against N synthetic templates: identifyAll vs local[2]
 * cluster N [N]...              N synthetic faces of planted people: FaceClusters vs local[2]
 * cluster-one-jvm D N [N]...    the same in D dimensions, one JVM only
 * scan N Q                      the exact neighbour scan of Q new faces against N faces
 * </pre>
 */
public final class ScaleCheck {
  private ScaleCheck() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("encode")) {
      encode(Path.of(args[1]), Integer.parseInt(args[2]));
    } else if (args[0].equals("cluster")) {
      for (int i = 1; i < args.length; i++) {
        cluster(Integer.parseInt(args[i]), 512, true);
      }
    } else if (args[0].equals("cluster-one-jvm")) {
      for (int i = 2; i < args.length; i++) {
        cluster(Integer.parseInt(args[i]), Integer.parseInt(args[1]), false);
      }
    } else if (args[0].equals("scan")) {
      scan(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    } else {
      for (int i = 1; i + 1 < args.length; i += 2) {
        identify(Integer.parseInt(args[i]), Integer.parseInt(args[i + 1]));
      }
    }
  }

  private static void encode(Path images, int n) throws Exception {
    List<Path> files;
    try (Stream<Path> all = Files.walk(images)) {
      files = all.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(n).toList();
    }
    // One JVM, ONNX Runtime's default threads (every core), then one thread (one core).
    double single = 0;
    for (int threads : new int[] {0, 1}) {
      long start = System.nanoTime();
      long faces = 0;
      try (Encoder encoder = Encoder.builder().threads(threads).build()) {
        for (List<Face> f : encoder.encodeAll(files)) {
          faces += f.size();
        }
      }
      double rate = faces / seconds(start);
      single = threads == 0 ? rate : single;
      System.out.printf(
          Locale.ROOT,
          "encode %d images, %d faces: one JVM encodeAll, %s, %.1f faces/s%n",
          files.size(),
          faces,
          threads == 0 ? "default threads" : "1 thread",
          rate);
    }
    for (String master : new String[] {"local[1]", "local[2]"}) {
      SparkSession spark = session(master);
      String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
      // Warm-up, untimed: Spark's first job loads and compiles its own classes.
      SparkFaces.encode(
              spark.read().format("binaryFile").load(Arrays.copyOf(paths, 32)),
              EncodeOptions.defaults())
          .faces()
          .count();
      long start = System.nanoTime();
      long rows =
          SparkFaces.encode(spark.read().format("binaryFile").load(paths), EncodeOptions.defaults())
              .faces()
              .count();
      double rate = rows / seconds(start);
      System.out.printf(
          Locale.ROOT,
          "encode %d images: Spark %s %.1f faces/s, %.2f x one JVM (overhead %.0f%%)%n",
          files.size(),
          master,
          rate,
          rate / single,
          100 * (single / rate - 1));
      spark.stop();
    }
  }

  private static void identify(int n, int q) {
    float[][] probes = new float[q][];
    for (int i = 0; i < q; i++) {
      probes[i] = vector(-1 - i);
    }
    // One JVM: the same templates in one Gallery, every core, identifyAll.
    Gallery one = Gallery.create("synthetic", 512, GalleryOptions.defaults());
    for (int id = 0; id < n; id++) {
      one.enroll("id-" + id, Embedding.of(vector(id)));
    }
    List<Embedding> queries = new ArrayList<>();
    for (float[] p : probes) {
      queries.add(Embedding.of(p));
    }
    long start = System.nanoTime();
    one.identifyAll(queries, 10);
    double single = seconds(start);
    one.close();

    SparkSession spark = session("local[2]");
    Dataset<Row> gallery =
        generated(
            spark,
            n,
            2,
            FaceColumns.IDENTITY,
            id -> RowFactory.create("id-" + id, SparkFaces.boxed(vector(id))));
    List<Row> probeRows = new ArrayList<>();
    for (int i = 0; i < q; i++) {
      probeRows.add(RowFactory.create("p" + i, SparkFaces.boxed(probes[i])));
    }
    Dataset<Row> probeData = spark.createDataFrame(probeRows, FaceColumns.keyed(FaceColumns.PROBE));
    // The gallery is in Spark already (as when read from Parquet): generated and cached untimed.
    gallery = gallery.cache();
    gallery.count();
    start = System.nanoTime();
    long answers =
        SparkSearch.identify(
                probeData, gallery, "synthetic", SparkSearch.Settings.atThreshold(10, 0.5f))
            .count();
    double distributed = seconds(start);
    spark.stop();
    System.out.printf(
        Locale.ROOT,
        "identify %d probes x %d templates: one JVM identifyAll %.1f s, Spark local[2] %.1f s "
            + "(%.2f x; %d answers; Spark's time includes sharding the cached gallery)%n",
        q,
        n,
        single,
        distributed,
        distributed / single,
        answers);
  }

  /**
   * Planted people: person p has 1 + (p · 7919 mod 19) faces (1 to 19, mean 10), laid out
   * consecutively; returns each face's person.
   */
  static int[] plantedPeople(int n) {
    int[] person = new int[n];
    int p = 0;
    for (int i = 0; i < n; p++) {
      int size = 1 + (int) ((p * 7919L) % 19);
      for (int j = 0; j < size && i < n; j++) {
        person[i++] = p;
      }
    }
    return person;
  }

  /**
   * A face of a planted person: the person's random direction plus Gaussian noise, which puts faces
   * of one person at a similarity of about 0.64, as the bundled model does on LFW.
   */
  static float[] plantedFace(int face, int person) {
    return plantedFace(face, person, 512);
  }

  /** The same in {@code dimension} dimensions: the noise scales so that the similarity is kept. */
  static float[] plantedFace(int face, int person, int dimension) {
    float[] centre = vector(1_000_000_000L + person, dimension);
    double norm = 0;
    for (float x : centre) {
      norm += x * x;
    }
    SplittableRandom random = new SplittableRandom(0x0f0c_0000L + face);
    float[] v = new float[centre.length];
    for (int d = 0; d < v.length; d++) {
      v[d] =
          (float)
              (centre[d] / Math.sqrt(norm) + 0.75 / Math.sqrt(dimension) * random.nextGaussian());
    }
    return v;
  }

  private static void cluster(int n, int dimension, boolean alsoSpark) {
    int[] person = plantedPeople(n);
    List<FaceItem> items = new ArrayList<>(n);
    List<String> truth = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(FaceItem.of(Embedding.of(plantedFace(i, person[i], dimension))));
      truth.add(Integer.toString(person[i]));
    }
    ClusteringOptions options = ClusteringOptions.defaults();
    Calibration calibration = Calibration.bundled();
    long before = heapAfterGc();
    resetPeaks();
    long start = System.nanoTime();
    FaceClusters one = FaceClusters.of(items, calibration, options);
    double single = seconds(start);
    long peak = peakHeap() - before;
    ClusteringQuality q = ClusteringQuality.of(one.labels(), truth);
    System.out.printf(
        Locale.ROOT,
        "cluster %d synthetic %d-d faces (%d people): one JVM %.1f s, peak heap +%.0f MiB,"
            + " BCubed F %.4f, %d clusters%n",
        n,
        dimension,
        person[n - 1] + 1,
        single,
        peak / 1048576.0,
        q.bcubedF(),
        q.clusters());
    items = null;
    one = null;
    if (!alsoSpark) {
      return;
    }

    SparkSession spark = session("local[2]");
    Dataset<Row> faces =
        generated(
                spark,
                n,
                8,
                FaceColumns.PROBE,
                id ->
                    RowFactory.create(
                        String.format(Locale.ROOT, "f%09d", id),
                        SparkFaces.boxed(plantedFace(id.intValue(), person[id.intValue()]))))
            .cache();
    faces.count();
    start = System.nanoTime();
    List<Row> rows = SparkClusters.cluster(faces, calibration, options, 8).collectAsList();
    double distributed = seconds(start);
    spark.stop();
    java.util.Map<String, Integer> number = new java.util.HashMap<>();
    int[] labels = new int[n];
    for (Row r : rows) {
      int face = Integer.parseInt(r.getString(0).substring(1));
      labels[face] =
          r.isNullAt(1) ? -1 : number.computeIfAbsent(r.getString(1), k -> number.size());
    }
    ClusteringQuality sq = ClusteringQuality.of(labels, truth);
    System.out.printf(
        Locale.ROOT,
        "cluster %d synthetic faces: Spark local[2] %.1f s (%.2f x one JVM), BCubed F %.4f, %d"
            + " clusters%n",
        n,
        distributed,
        distributed / single,
        sq.bcubedF(),
        sq.clusters());
  }

  /**
   * Q new faces added to a collection of N − Q: their exact neighbour scan against all N (the
   * clustering that follows is a small part of the time).
   */
  private static void scan(int n, int q) {
    int[] person = plantedPeople(n);
    List<FaceItem> faces = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      faces.add(FaceItem.of(Embedding.of(plantedFace(i, person[i]))));
    }
    FaceClusters clusters = FaceClusters.withThreshold(0.47f, ClusteringOptions.defaults());
    clusters.add(faces.subList(0, n - q));
    long start = System.nanoTime();
    clusters.add(faces.subList(n - q, n));
    double s = seconds(start);
    System.out.printf(
        Locale.ROOT,
        "scan %d faces against %d: %.1f s, %.3g comparisons/s; N faces at once (N²/2"
            + " comparisons) at this rate: N = 1M %.0f s, N = 100k %.0f s%n",
        q,
        n,
        s,
        (double) q * n / s,
        0.5e12 / ((double) q * n / s),
        0.5e10 / ((double) q * n / s));
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  /** The sum of the heap pools' peaks: an upper bound of the heap in use at any one time. */
  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** A unit-ish random vector, the same for an id on the driver and on any executor. */
  static float[] vector(long id) {
    return vector(id, 512);
  }

  static float[] vector(long id, int dimension) {
    SplittableRandom random = new SplittableRandom(0x5eed_0000L + id);
    float[] v = new float[dimension];
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  /** {@code n} rows of (key, embedding) made on the executors, so the driver holds none. */
  private static Dataset<Row> generated(
      SparkSession spark, long n, int partitions, String keyColumn, MapFunction<Long, Row> row) {
    return spark
        .range(n)
        .repartition(partitions)
        .map(row, Encoders.row(FaceColumns.keyed(keyColumn)));
  }

  private static SparkSession session(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("semblance scale check")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
