package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import dev.semblance.Calibration;
import dev.semblance.Gallery;
import dev.semblance.SemblanceException;
import dev.semblance.clustering.ClusterMethod;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.io.DurableFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code semblance-spark}: the Spark jobs from the command line, in local mode or under {@code
 * spark-submit}. Exit codes as {@code semblance}'s: 0 done, 2 usage, 3 bad input, 4 internal error.
 */
@Command(
    name = "semblance-spark",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    description = "Encode, identify and self-search face collections with Apache Spark.",
    subcommands = {
      SparkCli.Encode.class,
      SparkCli.Identify.class,
      SparkCli.SelfSearch.class,
      SparkCli.ClusterFaces.class,
      CommandLine.HelpCommand.class
    })
public final class SparkCli {
  private static final Logger log = LoggerFactory.getLogger(SparkCli.class);

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new SparkCli()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Throwable cause = rootCause(e);
          if (cause instanceof SemblanceException
              || cause instanceof IllegalArgumentException
              || cause instanceof UncheckedIOException
              || cause instanceof AnalysisException) {
            commandLine.getErr().println("semblance-spark: " + cause.getMessage());
            return 3;
          }
          commandLine.getErr().println("semblance-spark: internal error: " + e);
          e.printStackTrace(commandLine.getErr());
          return 4;
        });
    return cli.execute(args);
  }

  /** Spark wraps a task's exception; the user needs the one that says what was wrong. */
  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof IllegalArgumentException || t instanceof SemblanceException) {
        return t;
      }
      t = t.getCause();
    }
    return t;
  }

  /** A Spark session, stopped at the end only when this command started it. */
  record Session(SparkSession spark, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) {
        spark.stop();
      }
    }
  }

  /** Where the job runs and what it writes. */
  static final class JobOptions {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "PATH",
        description =
            "Parquet: any path Spark writes (hdfs://, s3a://, a folder); TSV: a local file.")
    String out;

    @Option(
        names = "--master",
        paramLabel = "URL",
        description = "Spark master, e.g. local[2]; default: spark-submit's, else local[*].")
    String master;

    @Option(
        names = "--format",
        defaultValue = "PARQUET",
        description = "parquet (a Spark folder) or tsv (one local file); default parquet.")
    Format format;

    /** The session to run in: the application's own if it has one (left open), else a new one. */
    Session session(String job) {
      if (SparkSession.getDefaultSession().isDefined()) {
        return new Session(SparkSession.getDefaultSession().get(), false);
      }
      SparkSession.Builder builder = SparkSession.builder().appName("semblance " + job);
      String chosen = master != null ? master : new SparkConf().get("spark.master", "local[*]");
      builder.master(chosen);
      if (chosen.startsWith("local")) {
        builder.config("spark.ui.enabled", "false").config("spark.log.level", "WARN");
      }
      return new Session(builder.getOrCreate(), true);
    }

    /** Writes the job's result: Parquet through Spark, or one TSV file written by {@code tsv}. */
    void write(Dataset<Row> result, BiConsumer<Dataset<Row>, Path> tsv) {
      if (format == Format.TSV) {
        tsv.accept(result, Path.of(out));
      } else {
        result.write().mode("errorifexists").parquet(out);
      }
    }
  }

  /** The faces of an encode output, for the jobs that compare every face with every other. */
  static final class FacesIn {
    @Option(
        names = "--in",
        required = true,
        paramLabel = "PATH",
        description = "An encode output (parquet).")
    String in;

    @Option(
        names = "--blocks",
        defaultValue = "8",
        description =
            "Blocks of the collection (default ${DEFAULT-VALUE}): tasks are pairs of blocks.")
    int blocks;

    /** The face rows (not the reason rows) of the encode output. */
    Dataset<Row> read(SparkSession spark) {
      return spark.read().parquet(in).where(col(FaceColumns.REASON).isNull());
    }

    /** (probe, embedding) rows, the probe being {@code path#face}. */
    static Dataset<Row> keyed(Dataset<Row> faces) {
      return faces.select(
          concat(col(FaceColumns.PATH), lit("#"), col(FaceColumns.FACE)).as(FaceColumns.PROBE),
          col(FaceColumns.EMBEDDING));
    }
  }

  /** What a job writes. */
  enum Format {
    PARQUET,
    TSV
  }

  @Command(
      name = "encode",
      description = {
        "Every face of every image under a folder (recursively): box, score, landmarks, embedding;",
        "one row with a reason for each image that is unreadable, too large or faceless.",
        "The TSV has the columns of `semblance embed`."
      })
  static final class Encode implements Callable<Integer> {
    @Option(
        names = "--in",
        required = true,
        paramLabel = "DIR",
        description = "Images (any file system Spark reads).")
    String in;

    @Option(names = "--one-per-image", description = "Only the main face of each image.")
    boolean onePerImage;

    @Option(names = "--flip", description = "Average each face with its mirror image.")
    boolean flip;

    @Option(
        names = "--min-score",
        defaultValue = "0.65",
        description = "Minimum detector score (default ${DEFAULT-VALUE}).")
    float minScore;

    @Option(
        names = "--max-pixels",
        defaultValue = "50000000",
        description = "Largest image decoded (default ${DEFAULT-VALUE}).")
    long maxPixels;

    @Mixin JobOptions job;

    @Override
    public Integer call() {
      EncodeOptions options =
          EncodeOptions.defaults()
              .withMainFaceOnly(onePerImage)
              .withFlip(flip)
              .withMinScore(minScore)
              .withMaxPixels(maxPixels);
      try (Session session = job.session("encode")) {
        SparkSession spark = session.spark();
        Dataset<Row> images =
            spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(in);
        SparkFaces.Encoded encoded = SparkFaces.encode(images, options);
        job.write(encoded.faces(), SparkCli::writeEmbedTsv);
        String summary =
            String.format(
                Locale.ROOT,
                "%d faces; %d images without a face; %d unreadable; written to %s",
                encoded.faceCount().value(),
                encoded.withoutFace().value(),
                encoded.unreadable().value(),
                job.out);
        log.info(summary);
        System.err.println(summary);
      }
      return 0;
    }
  }

  /** Writes the rows to one local file, streamed to the driver a partition at a time. */
  private static void writeTsv(Dataset<Row> data, Path out, TsvBody body) {
    DurableFiles.replace(
        out,
        stream -> {
          Writer w =
              new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
          body.write(data.toLocalIterator(), w);
          w.flush();
        });
  }

  @FunctionalInterface
  private interface TsvBody {
    void write(Iterator<Row> rows, Writer w) throws IOException;
  }

  /** The columns of {@code semblance embed}: path, face, box, score, note, e0 … e(d−1). */
  static void writeEmbedTsv(Dataset<Row> faces, Path out) {
    writeTsv(
        faces,
        out,
        (rows, w) -> {
          // The header needs the dimension: reason rows before the first face wait for it.
          StringBuilder pending = new StringBuilder();
          boolean header = false;
          while (rows.hasNext()) {
            Row r = rows.next();
            if (!r.isNullAt(7)) {
              String reason = r.getString(7).replace('\t', ' ').replace('\n', ' ');
              (header ? w : pending).append(r.getString(0) + "\t\t\t\t\t\t\t" + reason + "\n");
              continue;
            }
            if (!header) {
              w.write("path\tface\tleft\ttop\tright\tbottom\tscore\tnote");
              for (int i = 0; i < r.getList(5).size(); i++) {
                w.write("\te" + i);
              }
              w.write('\n');
              w.append(pending);
              header = true;
            }
            StringBuilder line = new StringBuilder(8 * 520);
            line.append(r.getString(0)).append('\t').append(r.getInt(1));
            List<Float> box = r.getList(2);
            for (float v :
                new float[] {box.get(0), box.get(1), box.get(2), box.get(3), r.getFloat(3)}) {
              line.append('\t').append(String.format(Locale.ROOT, "%.2f", v));
            }
            line.append('\t');
            for (Object v : r.getList(5)) {
              line.append('\t').append((float) (Float) v);
            }
            w.write(line.append('\n').toString());
          }
          if (!header) {
            w.append(pending); // no face at all: reason rows only
          }
        });
  }

  @Command(
      name = "identify",
      description = {
        "Open-set identification of every face of an encode output against a gallery, exact,",
        "with the gallery split across the executors."
      })
  static final class Identify implements Callable<Integer> {
    @Option(
        names = "--probes",
        required = true,
        paramLabel = "PATH",
        description = "An encode output (parquet).")
    String probes;

    @Option(
        names = "--gallery",
        required = true,
        paramLabel = "FILE",
        description = "A Semblance gallery file.")
    Path gallery;

    @Option(
        names = "-k",
        defaultValue = "10",
        description = "Candidates per probe (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--threshold", description = "Open-set threshold; default: the gallery's.")
    Float threshold;

    @Option(
        names = "--target-fpir",
        description = "Hold this FPIR at the gallery's size under the bundled calibration.")
    Double targetFpir;

    @Option(
        names = "--shards",
        defaultValue = "0",
        description = "Gallery shards; 0: Spark's default parallelism.")
    int shards;

    @Mixin JobOptions job;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(gallery)) {
        throw new IllegalArgumentException("gallery file does not exist: " + gallery);
      }
      Gallery g = Gallery.load(gallery);
      SparkSearch.Settings settings =
          targetFpir != null
              ? SparkSearch.Settings.atTargetFpir(k, Calibration.bundled(), targetFpir)
              : SparkSearch.Settings.atThreshold(k, threshold != null ? threshold : g.threshold());
      try (Session session = job.session("identify")) {
        SparkSession spark = session.spark();
        Dataset<Row> faces = spark.read().parquet(probes).where(col(FaceColumns.REASON).isNull());
        List<Row> embedders = faces.select(FaceColumns.EMBEDDER).distinct().collectAsList();
        for (Row e : embedders) {
          if (!e.getString(0).equals(g.embedderId())) {
            throw new IllegalArgumentException(
                "the probes were encoded by "
                    + e.getString(0)
                    + ", the gallery holds templates of "
                    + g.embedderId()
                    + "; embeddings of different models cannot be compared");
          }
        }
        Dataset<Row> probeRows =
            faces.select(
                concat(col(FaceColumns.PATH), lit("#"), col(FaceColumns.FACE))
                    .as(FaceColumns.PROBE),
                col(FaceColumns.EMBEDDING));
        Dataset<Row> result =
            SparkSearch.identify(
                probeRows,
                SparkGalleries.read(spark, g),
                g.embedderId(),
                settings.withShards(shards));
        job.write(
            result,
            (rows, file) ->
                writeRows(
                    rows.select(
                        FaceColumns.PROBE,
                        FaceColumns.IDENTITY,
                        FaceColumns.SIMILARITY,
                        FaceColumns.MATCH,
                        FaceColumns.THRESHOLD,
                        FaceColumns.REASON),
                    file));
      }
      return 0;
    }
  }

  @Command(
      name = "self-search",
      description = "Every pair of faces of an encode output at or above a similarity threshold.")
  static final class SelfSearch implements Callable<Integer> {

    @Option(
        names = "--threshold",
        required = true,
        description = "Cosine similarity a pair must reach.")
    float threshold;

    @Mixin FacesIn faces;
    @Mixin JobOptions job;

    @Override
    public Integer call() {
      try (Session session = job.session("self-search")) {
        Dataset<Row> pairs =
            SparkSearch.selfSearch(
                FacesIn.keyed(faces.read(session.spark())), threshold, faces.blocks);
        job.write(pairs, SparkCli::writeRows);
      }
      return 0;
    }
  }

  @Command(
      name = "cluster",
      description = {
        "Group the faces of an encode output into people, with nobody enrolled.",
        "Writes one row per face: probe (path#face) and cluster (the smallest probe of its"
            + " cluster; empty for a face left alone)."
      })
  static final class ClusterFaces implements Callable<Integer> {

    @Option(
        names = "--method",
        defaultValue = "AVERAGE_LINKAGE",
        description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    ClusterMethod method;

    @Option(
        names = "--pairwise-fmr",
        defaultValue = "1e-5",
        description =
            "False match rate of one comparison at the similarity cut-off, read from the bundled"
                + " calibration (default ${DEFAULT-VALUE}).")
    double pairwiseFmr;

    @Option(
        names = "--min-cluster-size",
        defaultValue = "2",
        description = "Smaller clusters are left alone (default ${DEFAULT-VALUE}).")
    int minClusterSize;

    @Mixin FacesIn faces;
    @Mixin JobOptions job;

    @Override
    public Integer call() {
      ClusteringOptions options =
          ClusteringOptions.defaults()
              .withMethod(method)
              .withPairwiseFmr(pairwiseFmr)
              .withMinClusterSize(minClusterSize);
      Calibration calibration = Calibration.bundled();
      try (Session session = job.session("cluster")) {
        Dataset<Row> rows = faces.read(session.spark());
        for (Row r : rows.select(FaceColumns.EMBEDDER).distinct().collectAsList()) {
          checkArgument(
              r.getString(0).equals(calibration.embedderId()),
              "faces of %s cannot be clustered with the calibration of %s",
              r.getString(0),
              calibration.embedderId());
        }
        job.write(
            SparkClusters.cluster(FacesIn.keyed(rows), calibration, options, faces.blocks),
            SparkCli::writeRows);
      }
      return 0;
    }
  }

  /** A DataFrame of scalar columns as one tab-separated file with a header, written durably. */
  static void writeRows(Dataset<Row> data, Path out) {
    writeTsv(
        data,
        out,
        (it, w) -> {
          w.write(String.join("\t", data.columns()) + "\n");
          while (it.hasNext()) {
            Row r = it.next();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
              line.append(i == 0 ? "" : "\t").append(r.isNullAt(i) ? "" : String.valueOf(r.get(i)));
            }
            w.write(line.append('\n').toString());
          }
        });
  }
}
