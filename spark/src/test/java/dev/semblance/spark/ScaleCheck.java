package dev.semblance.spark;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Side-by-side measurements for docs/scale.md (run by spark/scale-check.sh, never by the tests):
 * the same work on one JVM with the library and as Spark jobs in local mode.
 *
 * <pre>
 * encode IMAGES N               N LFW images: encodeAll vs local[1] vs local[2], faces per second
 * identify N Q [N Q]...         Q probes against N synthetic templates: identifyAll vs local[2]
 * </pre>
 */
public final class ScaleCheck {
  private ScaleCheck() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("encode")) {
      encode(Path.of(args[1]), Integer.parseInt(args[2]));
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
        spark
            .range(n)
            .repartition(2)
            .mapPartitions(
                (MapPartitionsFunction<Long, Row>)
                    ids -> {
                      List<Row> out = new ArrayList<>();
                      ids.forEachRemaining(
                          id ->
                              out.add(RowFactory.create("id-" + id, SparkFaces.boxed(vector(id)))));
                      return out.iterator();
                    },
                Encoders.row(
                    DataTypes.createStructType(
                        List.of(
                            DataTypes.createStructField(
                                FaceColumns.IDENTITY, DataTypes.StringType, false),
                            DataTypes.createStructField(
                                FaceColumns.EMBEDDING,
                                DataTypes.createArrayType(DataTypes.FloatType, false),
                                false)))));
    List<Row> probeRows = new ArrayList<>();
    for (int i = 0; i < q; i++) {
      probeRows.add(RowFactory.create("p" + i, SparkFaces.boxed(probes[i])));
    }
    Dataset<Row> probeData =
        spark.createDataFrame(
            probeRows,
            DataTypes.createStructType(
                List.of(
                    DataTypes.createStructField(FaceColumns.PROBE, DataTypes.StringType, false),
                    DataTypes.createStructField(
                        FaceColumns.EMBEDDING,
                        DataTypes.createArrayType(DataTypes.FloatType, false),
                        false))));
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

  /** A unit-ish random vector, the same for an id on the driver and on any executor. */
  static float[] vector(long id) {
    SplittableRandom random = new SplittableRandom(0x5eed_0000L + id);
    float[] v = new float[512];
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
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
