package dev.semblance.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The faces of an encode output, for the jobs that compare every face with every other: the {@code
 * --in} and {@code --blocks} options.
 *
 * <p>Thread safety: picocli fills it on one thread; the command reads it after.
 */
final class FacesIn {
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
