package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Calibration;
import dev.semblance.clustering.ClusterMethod;
import dev.semblance.clustering.ClusteringOptions;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code semblance-spark cluster}. Thread safety: one call, on one thread. */
@Command(
    name = "cluster",
    description = {
      "Group the faces of an encode output into people, with nobody enrolled.",
      "Writes one row per face: probe (path#face) and cluster (the smallest probe of its"
          + " cluster; empty for a face left alone)."
    })
final class ClusterCommand implements Callable<Integer> {

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
    try (JobOptions.Session session = job.session("cluster")) {
      Dataset<Row> rows = faces.read(session.spark());
      for (Row r : rows.select(FaceColumns.EMBEDDER).distinct().collectAsList()) {
        String embedder = r.getAs(FaceColumns.EMBEDDER);
        checkArgument(
            embedder.equals(calibration.embedderId()),
            "faces of %s cannot be clustered with the calibration of %s",
            embedder,
            calibration.embedderId());
      }
      job.write(
          SparkClusters.cluster(FacesIn.keyed(rows), calibration, options, faces.blocks),
          TsvFiles::writeRows);
    }
    return 0;
  }
}
