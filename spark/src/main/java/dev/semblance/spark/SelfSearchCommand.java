package dev.semblance.spark;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code semblance-spark self-search}. Thread safety: one call, on one thread. */
@Command(
    name = "self-search",
    description = "Every pair of faces of an encode output at or above a similarity threshold.")
final class SelfSearchCommand implements Callable<Integer> {

  @Option(
      names = "--threshold",
      required = true,
      description = "Cosine similarity a pair must reach.")
  float threshold;

  @Mixin FacesIn faces;
  @Mixin JobOptions job;

  @Override
  public Integer call() {
    try (JobOptions.Session session = job.session("self-search")) {
      Dataset<Row> pairs =
          SparkSearch.selfSearch(
              FacesIn.keyed(faces.read(session.spark())), threshold, faces.blocks);
      job.write(pairs, TsvFiles::writeRows);
    }
    return 0;
  }
}
