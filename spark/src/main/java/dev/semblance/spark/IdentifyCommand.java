package dev.semblance.spark;

import static org.apache.spark.sql.functions.col;

import dev.semblance.Calibration;
import dev.semblance.Gallery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code semblance-spark identify}. Thread safety: one call, on one thread. */
@Command(
    name = "identify",
    description = {
      "Open-set identification of every face of an encode output against a gallery, exact,",
      "with the gallery split across the executors."
    })
final class IdentifyCommand implements Callable<Integer> {
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
    try (JobOptions.Session session = job.session("identify")) {
      SparkSession spark = session.spark();
      Dataset<Row> faces = spark.read().parquet(probes).where(col(FaceColumns.REASON).isNull());
      List<Row> embedders = faces.select(FaceColumns.EMBEDDER).distinct().collectAsList();
      for (Row e : embedders) {
        String embedder = e.getAs(FaceColumns.EMBEDDER);
        if (!embedder.equals(g.embedderId())) {
          throw new IllegalArgumentException(
              "the probes were encoded by "
                  + embedder
                  + ", the gallery holds templates of "
                  + g.embedderId()
                  + "; embeddings of different models cannot be compared");
        }
      }
      Dataset<Row> probeRows = FacesIn.keyed(faces);
      Dataset<Row> result =
          SparkSearch.identify(
              probeRows,
              SparkGalleries.read(spark, g),
              g.embedderId(),
              settings.withShards(shards));
      job.write(
          result,
          (rows, file) ->
              TsvFiles.writeRows(
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
