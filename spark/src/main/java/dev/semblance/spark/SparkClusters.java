package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.clustering.Cluster;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Face clustering of a collection too big for one machine. The distributed self-search ({@link
 * SparkSearch#selfSearch}) finds every pair of faces at or above the cut-off; connected components
 * of those pairs (min-label propagation on DataFrames) split the collection into independent parts,
 * since no method joins faces that no chain of pairs connects; each part is then clustered in one
 * task by the same {@link FaceClusters} code as in one JVM, so the result is the one-JVM result.
 *
 * <pre>{@code
 * Dataset<Row> clusters = SparkClusters.cluster(faces, Calibration.bundled(),
 *     ClusteringOptions.defaults(), 64); // rows: probe, cluster (null: alone)
 * }</pre>
 *
 * <p>A part must fit one task. With a cut-off that lets many false pairs through (a loose pairwise
 * FMR on a large collection), parts chain into a giant one; the job logs the biggest part's size.
 * The face quality option is not used here: filter the rows by detector score first.
 *
 * <p><b>Thread safety.</b> Stateless; safe for concurrent use.
 */
public final class SparkClusters {
  private static final Logger log = LoggerFactory.getLogger(SparkClusters.class);
  private static final String ID = "id";
  private static final String LABEL = "label";

  /** A part this big holds far more faces than any one person has: a sign of chaining. */
  private static final long LARGE_PART = 100_000;

  private SparkClusters() {}

  /**
   * Clusters faces at the calibration's threshold for the options' pairwise FMR.
   *
   * @param faces rows with a unique string column {@link FaceColumns#PROBE} and an {@link
   *     FaceColumns#EMBEDDING}
   * @param blocks blocks of the self-search: its tasks are pairs of blocks
   * @return rows of {@link FaceColumns#CLUSTERS}, one per face
   * @throws IllegalArgumentException if columns are missing, the calibration does not reach the
   *     FMR, or a minimum quality is set
   */
  public static Dataset<Row> cluster(
      Dataset<Row> faces, Calibration calibration, ClusteringOptions options, int blocks) {
    return cluster(
        faces, (float) calibration.thresholdForFar(options.pairwiseFmr()), options, blocks);
  }

  /**
   * Clusters faces at a fixed similarity cut-off; see {@link #cluster(Dataset, Calibration,
   * ClusteringOptions, int)}.
   */
  public static Dataset<Row> cluster(
      Dataset<Row> faces, float threshold, ClusteringOptions options, int blocks) {
    checkArgument(
        options.minQuality() == Double.NEGATIVE_INFINITY,
        "a minimum quality is not used on Spark: filter the rows by %s first",
        FaceColumns.SCORE);
    Dataset<Row> input = faces.select(FaceColumns.PROBE, FaceColumns.EMBEDDING);
    Dataset<Row> pairs = SparkSearch.selfSearch(input, threshold, blocks);
    Dataset<Row> edges =
        pairs
            .select(col("left").as("src"), col("right").as("dst"))
            .union(pairs.select(col("right").as("src"), col("left").as("dst")))
            .localCheckpoint();
    Dataset<Row> labels = components(edges);
    Row biggest =
        labels.groupBy(LABEL).count().orderBy(col("count").desc()).limit(1).collectAsList().stream()
            .findFirst()
            .orElse(null);
    long biggestPart = biggest == null ? 0 : biggest.getLong(1);
    log.info(
        "clustering: {} faces in parts joined by pairs at or above {}; the biggest part holds {}",
        labels.count(),
        threshold,
        biggestPart);
    if (biggestPart > LARGE_PART) {
      log.warn(
          "one task will cluster {} faces: false pairs chain people into one part; a stricter"
              + " cut-off (a lower pairwise FMR) splits it",
          biggestPart);
    }

    Dataset<Row> parted =
        input
            .join(labels, input.col(FaceColumns.PROBE).equalTo(labels.col(ID)))
            .select(col(LABEL), col(FaceColumns.PROBE), col(FaceColumns.EMBEDDING));
    Dataset<Row> clustered =
        parted
            .groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
            .flatMapGroups(new ClusterPart(threshold, options), Encoders.row(FaceColumns.CLUSTERS));
    Dataset<Row> alone =
        input
            .join(labels, input.col(FaceColumns.PROBE).equalTo(labels.col(ID)), "left_anti")
            .select(
                col(FaceColumns.PROBE),
                options.minClusterSize() <= 1
                    ? col(FaceColumns.PROBE).as(FaceColumns.CLUSTER)
                    : lit(null).cast(DataTypes.StringType).as(FaceColumns.CLUSTER));
    return clustered.union(alone);
  }

  /**
   * Each face with at least one pair, labelled with the smallest key of its connected component:
   * every round, a face takes the smallest label among itself and its neighbours, until none
   * changes (as many rounds as the longest shortest path in a component).
   */
  private static Dataset<Row> components(Dataset<Row> edges) {
    Dataset<Row> labels =
        edges.select(col("src").as(ID)).distinct().withColumn(LABEL, col(ID)).localCheckpoint();
    for (int round = 1; ; round++) {
      Dataset<Row> offered =
          edges
              .join(labels, edges.col("src").equalTo(labels.col(ID)))
              .groupBy(col("dst"))
              .agg(min(col(LABEL)).as("offer"));
      Dataset<Row> next =
          labels
              .join(offered, labels.col(ID).equalTo(offered.col("dst")))
              .select(col(ID), least(col(LABEL), col("offer")).as(LABEL))
              .localCheckpoint();
      long changed =
          next.join(labels.withColumnRenamed(LABEL, "before"), ID)
              .where(col(LABEL).notEqual(col("before")))
              .count();
      labels = next;
      log.debug("connected components, round {}: {} faces relabelled", round, changed);
      if (changed == 0) {
        return labels;
      }
    }
  }

  /** One connected part clustered in one task, faces in key order as one JVM would take them. */
  private static final class ClusterPart implements FlatMapGroupsFunction<String, Row, Row> {
    private static final long serialVersionUID = 1L;
    private final float threshold;
    private final ClusteringOptions options;

    ClusterPart(float threshold, ClusteringOptions options) {
      this.threshold = threshold;
      this.options = options;
    }

    @Override
    public Iterator<Row> call(String part, Iterator<Row> rows) {
      List<Row> faces = new ArrayList<>();
      rows.forEachRemaining(faces::add);
      faces.sort((a, b) -> a.getString(1).compareTo(b.getString(1)));
      List<FaceItem> items = new ArrayList<>(faces.size());
      for (Row r : faces) {
        items.add(new FaceItem(Embedding.of(SparkFaces.floats(r, 2)), Double.NaN, r.getString(1)));
      }
      FaceClusters clusters = FaceClusters.withThreshold(threshold, options);
      clusters.add(items);
      String[] cluster = new String[faces.size()];
      for (Cluster c : clusters.clusters()) {
        String key = faces.get(c.faces().get(0)).getString(1); // faces ascend, keys too
        for (int f : c.faces()) {
          cluster[f] = key;
        }
      }
      List<Row> out = new ArrayList<>(faces.size());
      for (int i = 0; i < faces.size(); i++) {
        out.add(RowFactory.create(faces.get(i).getString(1), cluster[i]));
      }
      return out.iterator();
    }
  }
}
