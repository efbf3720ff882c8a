package dev.semblance.spark;

import java.nio.file.Path;
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
