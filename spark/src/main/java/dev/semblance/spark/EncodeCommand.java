package dev.semblance.spark;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code semblance-spark encode}. Thread safety: one call, on one thread. */
@Command(
    name = "encode",
    description = {
      "Every face of every image under a folder (recursively): box, score, landmarks, embedding;",
      "one row with a reason for each image that is unreadable, too large or faceless.",
      "The TSV has the columns of `semblance embed`."
    })
final class EncodeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(EncodeCommand.class);

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
    try (JobOptions.Session session = job.session("encode")) {
      SparkSession spark = session.spark();
      Dataset<Row> images =
          spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(in);
      SparkFaces.Encoded encoded = SparkFaces.encode(images, options);
      job.write(encoded.faces(), TsvFiles::writeEmbeddings);
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
