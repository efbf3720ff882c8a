package dev.semblance.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Where a job runs and what it writes: the {@code --out}, {@code --master} and {@code --format}
 * options every command shares.
 *
 * <p>Thread safety: picocli fills it on one thread; the command reads it after.
 */
final class JobOptions {
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

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "Any Spark setting, e.g. spark.executor.memory=4g; repeatable.")
  Map<String, String> conf = new LinkedHashMap<>();

  /**
   * The session to run in: the application's own if it has one (left open), else a new one. On a
   * cluster the executors load the jobs' classes from the job jar, which is shipped to them ({@code
   * spark.jars}) unless spark-submit or {@code --conf} already names the jars.
   */
  Session session(String job) {
    if (SparkSession.getDefaultSession().isDefined()) {
      return new Session(SparkSession.getDefaultSession().get(), false);
    }
    SparkSession.Builder builder = SparkSession.builder().appName("semblance " + job);
    SparkConf submitted = new SparkConf(); // spark-submit's settings, from system properties
    String chosen = master != null ? master : submitted.get("spark.master", "local[*]");
    builder.master(chosen);
    if (chosen.startsWith("local")) {
      builder.config("spark.ui.enabled", "false").config("spark.log.level", "WARN");
    } else {
      if (!isSet("spark.jars", submitted)) {
        builder.config("spark.jars", jobJar().toString());
      }
      // The executors search with the SIMD kernels the driver and local mode use, so that their
      // similarities are the same to the last bit.
      if (!isSet(EXECUTOR_OPTIONS, submitted)) {
        builder.config(EXECUTOR_OPTIONS, "--add-modules jdk.incubator.vector");
      }
    }
    conf.forEach(builder::config);
    return new Session(builder.getOrCreate(), true);
  }

  private static final String EXECUTOR_OPTIONS = "spark.executor.defaultJavaOptions";

  private boolean isSet(String key, SparkConf submitted) {
    return submitted.contains(key) || conf.containsKey(key);
  }

  /** The jar these classes were loaded from: what a cluster's executors need. */
  private static Path jobJar() {
    Path location;
    try {
      location =
          Path.of(JobOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new IllegalArgumentException("cannot tell which jar holds the Spark jobs: " + e, e);
    }
    if (!Files.isRegularFile(location)) {
      throw new IllegalArgumentException(
          "the Spark jobs were loaded from "
              + location
              + ", not a jar, so a cluster's executors cannot load them: run them from"
              + " semblance-spark-job.jar (bin/semblance-spark), or name the jar with --conf"
              + " spark.jars=JAR");
    }
    return location;
  }

  /** Writes the job's result: Parquet through Spark, or one TSV file written by {@code tsv}. */
  void write(Dataset<Row> result, BiConsumer<Dataset<Row>, Path> tsv) {
    if (format == Format.TSV) {
      tsv.accept(result, Path.of(out));
    } else {
      result.write().mode("errorifexists").parquet(out);
    }
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

  /** What a job writes. */
  enum Format {
    PARQUET,
    TSV
  }
}
