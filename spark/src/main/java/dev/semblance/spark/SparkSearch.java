package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Calibration;
import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.Identification;
import dev.semblance.SimilarityJoin;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exact face search as Spark jobs: open-set identification of many probes against a gallery split
 * across executors, and the self-search of a collection (every pair above a threshold).
 *
 * <p>Identification takes the gallery's partitions as shards (or repartitions it into a given
 * number); each task enrols its shard into a Semblance {@link Gallery} and searches every probe
 * with {@link Gallery#identifyAll} (the SIMD kernels, blocks of probes); the shards' top-k lists
 * are merged per probe, an identity split across shards keeping its best score. Identities, their
 * order and their similarities equal those of one {@code Gallery.identifyAll} over the whole
 * gallery. Probes travel to every task as a broadcast: keep a job's probes to some hundred thousand
 * and run several jobs for more.
 *
 * <pre>{@code
 * Dataset<Row> ids = SparkSearch.identify(probes, gallery, SparkSearch.Settings.atThreshold(10, 0.5f));
 * }</pre>
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class SparkSearch {
  private static final Logger log = LoggerFactory.getLogger(SparkSearch.class);

  private SparkSearch() {}

  /**
   * How to identify: {@code k} candidates per probe, and the open-set threshold, fixed or from a
   * calibration's target FPIR at the gallery's size.
   *
   * <p><b>Thread safety.</b> Immutable.
   *
   * @param k candidates per probe
   * @param threshold a fixed threshold, or NaN to use {@code calibration}
   * @param calibration the calibration of the gallery's embedder, or null
   * @param targetFpir the FPIR to hold under {@code calibration}
   * @param shards gallery shards (tasks); 0 to use the gallery DataFrame's partitions as they are
   */
  public record Settings(
      int k, float threshold, Calibration calibration, double targetFpir, int shards) {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a value is out of range or no threshold is defined
     */
    public Settings {
      checkArgument(k > 0, "k must be positive: %s", k);
      checkArgument(shards >= 0, "shards must not be negative: %s", shards);
      checkArgument(
          !Float.isNaN(threshold) || calibration != null,
          "give a threshold or a calibration and target FPIR");
      checkArgument(
          Float.isNaN(threshold) || (threshold >= -1 && threshold <= 1),
          "similarity threshold must be in [-1, 1]: %s",
          threshold);
    }

    public static Settings atThreshold(int k, float threshold) {
      return new Settings(k, threshold, null, Double.NaN, 0);
    }

    public static Settings atTargetFpir(int k, Calibration calibration, double fpir) {
      return new Settings(k, Float.NaN, calibration, fpir, 0);
    }

    public Settings withShards(int shards) {
      return new Settings(k, threshold, calibration, targetFpir, shards);
    }
  }

  /**
   * Identifies every probe: a row of {@link FaceColumns#IDENTIFICATIONS} per probe, in no
   * particular order.
   *
   * @param probes rows with a string column {@link FaceColumns#PROBE} (the probe's key) and an
   *     {@link FaceColumns#EMBEDDING}; a probe whose embedding is not a finite vector of the
   *     gallery's dimension gets a row with a {@link FaceColumns#REASON} and no candidates
   * @param gallery rows ({@link FaceColumns#IDENTITY}, {@link FaceColumns#EMBEDDING}); several rows
   *     of one identity are its templates
   * @param embedderId the embedder of both
   * @throws IllegalArgumentException before the search runs, if columns are missing, the gallery is
   *     empty, or the calibration is of another embedder; when the search runs, if a gallery row's
   *     embedding is malformed
   */
  public static Dataset<Row> identify(
      Dataset<Row> probes, Dataset<Row> gallery, String embedderId, Settings settings) {
    SparkFaces.checkColumn(probes, FaceColumns.PROBE, DataTypes.StringType);
    SparkFaces.checkColumn(
        probes, FaceColumns.EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false));
    SparkFaces.checkColumn(gallery, FaceColumns.IDENTITY, DataTypes.StringType);
    SparkFaces.checkColumn(
        gallery, FaceColumns.EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false));
    checkArgument(
        settings.calibration() == null || settings.calibration().embedderId().equals(embedderId),
        "the calibration is for embedder %s, the gallery holds %s",
        settings.calibration() == null ? "" : settings.calibration().embedderId(),
        embedderId);

    List<Row> probeRows = probes.select(FaceColumns.PROBE, FaceColumns.EMBEDDING).collectAsList();
    Dataset<Row> templates = gallery.select(FaceColumns.IDENTITY, FaceColumns.EMBEDDING);
    // One pass for both: the gallery's size (for a target FPIR) and its dimension.
    Row stats =
        templates
            .agg(
                functions.count(functions.lit(1)),
                functions.max(functions.size(templates.col(FaceColumns.EMBEDDING))))
            .first();
    long templateCount = stats.getLong(0);
    checkArgument(templateCount > 0, "the gallery is empty");
    int dimension = stats.getInt(1);
    float threshold =
        Float.isNaN(settings.threshold())
            ? (float) settings.calibration().thresholdForFpir(settings.targetFpir(), templateCount)
            : settings.threshold();

    List<String> keys = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    List<Row> refused = new ArrayList<>();
    for (Row row : probeRows) {
      String key = row.getString(0);
      try {
        // As given: the shards normalise it once, as a Gallery on one machine would.
        vectors.add(SparkGalleries.checkedVector(row, 1, dimension, "probe " + key));
        keys.add(key);
      } catch (IllegalArgumentException e) {
        refused.add(
            RowFactory.create(key, new Row[0], null, null, false, threshold, e.getMessage()));
      }
    }
    var spark = probes.sparkSession();
    // The gallery's own partitions are its shards unless a number is asked for: no shuffle. An
    // identity may then have templates in several shards; the merge keeps its best score.
    Dataset<Row> sharded =
        settings.shards() > 0 ? templates.repartition(settings.shards()) : templates;
    int shards = sharded.rdd().getNumPartitions();
    log.info(
        "identifying {} probes against {} templates in {} shards, threshold {}",
        keys.size(),
        templateCount,
        shards,
        threshold);
    Broadcast<float[][]> probeVectors =
        new JavaSparkContext(spark.sparkContext()).broadcast(vectors.toArray(float[][]::new));

    StructType hit =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("probe_index", DataTypes.IntegerType, false),
                DataTypes.createStructField(FaceColumns.IDENTITY, DataTypes.StringType, false),
                DataTypes.createStructField(FaceColumns.SIMILARITY, DataTypes.FloatType, false)));
    Dataset<Row> hits =
        sharded
            .as(Encoders.bean(Template.class))
            .mapPartitions(
                new SearchShard(embedderId, dimension, settings.k(), probeVectors),
                Encoders.row(hit));
    Dataset<Row> merged =
        hits.groupByKey((MapFunction<Row, Integer>) r -> r.getInt(0), Encoders.INT())
            .mapGroups(
                new MergeTopK(settings.k(), threshold, keys),
                Encoders.row(FaceColumns.IDENTIFICATIONS));
    if (refused.isEmpty()) {
      return merged;
    }
    return merged.union(spark.createDataFrame(refused, FaceColumns.IDENTIFICATIONS));
  }

  /** Enrols one shard of the gallery and searches every probe in it. */
  private static final class SearchShard implements MapPartitionsFunction<Template, Row> {
    private static final long serialVersionUID = 1L;
    private final String embedderId;
    private final int dimension;
    private final int k;
    private final Broadcast<float[][]> probes;

    SearchShard(String embedderId, int dimension, int k, Broadcast<float[][]> probes) {
      this.embedderId = embedderId;
      this.dimension = dimension;
      this.k = k;
      this.probes = probes;
    }

    @Override
    public Iterator<Row> call(Iterator<Template> rows) {
      // One task, one core: the gallery searches on the task's thread alone.
      GalleryOptions options = GalleryOptions.defaults().withExecutor(ForkJoinPool.commonPool(), 1);
      try (Gallery shard = Gallery.create(embedderId, dimension, options)) {
        while (rows.hasNext()) {
          Template t = rows.next();
          shard.enroll(
              t.getIdentity(),
              SparkGalleries.embedding(
                  t.getEmbedding(), dimension, "gallery identity " + t.getIdentity()));
        }
        List<Row> out = new ArrayList<>();
        if (shard.size() == 0) {
          return out.iterator();
        }
        List<Embedding> queries = new ArrayList<>();
        for (float[] v : probes.value()) {
          queries.add(Embedding.of(v));
        }
        List<Identification> found = shard.identifyAll(queries, k);
        for (int p = 0; p < found.size(); p++) {
          for (Candidate c : found.get(p).candidates()) {
            out.add(RowFactory.create(p, c.identity(), c.similarity()));
          }
        }
        return out.iterator();
      }
    }
  }

  /** The best k of the shards' candidates of one probe, and the open-set decision. */
  private static final class MergeTopK implements MapGroupsFunction<Integer, Row, Row> {
    private static final long serialVersionUID = 1L;

    /** Best first; equal similarities by name, so that the order never depends on the shards. */
    private static final Comparator<Row> BEST_FIRST =
        Comparator.<Row>comparingDouble(r -> -r.getFloat(2)).thenComparing(r -> r.getString(1));

    private final int k;
    private final float threshold;
    private final List<String> keys;

    MergeTopK(int k, float threshold, List<String> keys) {
      this.k = k;
      this.threshold = threshold;
      this.keys = new ArrayList<>(keys);
    }

    @Override
    public Row call(Integer probe, Iterator<Row> hits) {
      List<Row> all = new ArrayList<>();
      hits.forEachRemaining(all::add);
      all.sort(BEST_FIRST);
      // An identity split across shards scores its best template: keep its first (best) hit.
      // Exact: in the shard that holds an identity's best template, fewer than k identities
      // score above it there, since each of those scores at least as well overall.
      List<Row> best = new ArrayList<>(k);
      Set<String> seen = new HashSet<>();
      for (Row hit : all) {
        if (best.size() < k && seen.add(hit.getString(1))) {
          best.add(hit);
        }
      }
      Row[] candidates = new Row[best.size()];
      for (int i = 0; i < candidates.length; i++) {
        candidates[i] = RowFactory.create(best.get(i).getString(1), best.get(i).getFloat(2));
      }
      boolean match = !best.isEmpty() && best.get(0).getFloat(2) >= threshold;
      return RowFactory.create(
          keys.get(probe),
          candidates,
          best.isEmpty() ? null : best.get(0).getString(1),
          best.isEmpty() ? null : best.get(0).getFloat(2),
          match,
          threshold,
          null);
    }
  }

  /**
   * Every pair of rows of {@code faces} whose similarity reaches {@code threshold}: rows of {@link
   * FaceColumns#PAIRS}, each unordered pair once. The collection is cut into {@code blocks} blocks;
   * each pair of blocks is one task, scored with Semblance's blocked kernel ({@link
   * SimilarityJoin}), so no task holds more than two blocks and the N × N matrix is never built.
   *
   * @param faces rows with a string column {@link FaceColumns#PROBE} (a unique key) and an {@link
   *     FaceColumns#EMBEDDING}
   * @throws IllegalArgumentException if columns are missing or the threshold is not in [-1, 1];
   *     when the job runs, if an embedding is malformed
   */
  public static Dataset<Row> selfSearch(Dataset<Row> faces, float threshold, int blocks) {
    SparkFaces.checkColumn(faces, FaceColumns.PROBE, DataTypes.StringType);
    SparkFaces.checkColumn(
        faces, FaceColumns.EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false));
    checkArgument(
        threshold >= -1 && threshold <= 1,
        "similarity threshold must be in [-1, 1]: %s",
        threshold);
    checkArgument(blocks > 0, "blocks must be positive: %s", blocks);
    StructType blockType =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("block", DataTypes.IntegerType, false),
                DataTypes.createStructField(
                    "keys", DataTypes.createArrayType(DataTypes.StringType, false), false),
                DataTypes.createStructField(
                    "vectors", DataTypes.createArrayType(DataTypes.FloatType, false), false),
                DataTypes.createStructField("dimension", DataTypes.IntegerType, false)));
    // Blocks by the key's hash, not round robin: a block recomputed (a second scan of the cache,
    // a lost executor) then holds the same faces, whatever order the shuffle delivers them in.
    Dataset<Row> packed =
        faces
            .select(FaceColumns.PROBE, FaceColumns.EMBEDDING)
            .repartition(blocks, functions.col(FaceColumns.PROBE))
            .mapPartitions(new PackBlock(), Encoders.row(blockType))
            .cache();
    Dataset<Row> left = packed.toDF("lb", "lk", "lv", "ld");
    Dataset<Row> right = packed.toDF("rb", "rk", "rv", "rd");
    return left.crossJoin(right)
        .where(left.col("lb").leq(right.col("rb")))
        .flatMap(new JoinBlocks(threshold), Encoders.row(FaceColumns.PAIRS));
  }

  /** One partition as one row: its keys and its vectors laid end to end. */
  private static final class PackBlock implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<String> keys = new ArrayList<>();
      List<Float> flat = new ArrayList<>();
      int dimension = -1;
      while (rows.hasNext()) {
        Row row = rows.next();
        String key = row.getString(0);
        if (dimension < 0) {
          dimension = row.getList(1).size();
        }
        for (float x : SparkGalleries.checkedVector(row, 1, dimension, "face " + key)) {
          flat.add(x); // as given: the join normalises it once
        }
        keys.add(key);
      }
      if (keys.isEmpty()) {
        return List.<Row>of().iterator();
      }
      int block = TaskContext.getPartitionId();
      return List.of(
              RowFactory.create(
                  block, keys.toArray(String[]::new), flat.toArray(Float[]::new), dimension))
          .iterator();
    }
  }

  /** The pairs above the threshold between two blocks (or within one). */
  private static final class JoinBlocks implements FlatMapFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;
    private final float threshold;

    JoinBlocks(float threshold) {
      this.threshold = threshold;
    }

    @Override
    public Iterator<Row> call(Row pair) {
      List<String> leftKeys = pair.getList(1);
      List<String> rightKeys = pair.getList(5);
      checkArgument(
          pair.getInt(3) == pair.getInt(7),
          "embeddings of %s and %s dimensions cannot be compared",
          pair.getInt(3),
          pair.getInt(7));
      List<Embedding> left = unpack(SparkFaces.floats(pair, 2), pair.getInt(3));
      // Within a block both sides are the left one: the right may be another computation of the
      // same block, its faces in another order.
      boolean within = pair.getInt(0) == pair.getInt(4);
      List<String> partnerKeys = within ? leftKeys : rightKeys;
      List<SimilarityJoin.Pair> found =
          within
              ? SimilarityJoin.within(left, threshold)
              : SimilarityJoin.between(
                  left, unpack(SparkFaces.floats(pair, 6), pair.getInt(7)), threshold);
      List<Row> out = new ArrayList<>(found.size());
      for (SimilarityJoin.Pair p : found) {
        out.add(
            RowFactory.create(leftKeys.get(p.left()), partnerKeys.get(p.right()), p.similarity()));
      }
      return out.iterator();
    }

    private static List<Embedding> unpack(float[] flat, int dimension) {
      List<Embedding> out = new ArrayList<>(flat.length / dimension);
      for (int i = 0; i < flat.length; i += dimension) {
        out.add(Embedding.of(Arrays.copyOfRange(flat, i, i + dimension)));
      }
      return out;
    }
  }
}
