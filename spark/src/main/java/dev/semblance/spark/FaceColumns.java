package dev.semblance.spark;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of the DataFrames the jobs read and write.
 *
 * <p><b>Thread safety.</b> Constants only.
 */
public final class FaceColumns {
  private FaceColumns() {}

  /** The image's path (encode output), or the probe's key (identify output). */
  public static final String PATH = "path";

  /** The face's index in its image, best detector score first; -1 on a reason row. */
  public static final String FACE = "face";

  /** [left, top, right, bottom] in pixels of the upright image. */
  public static final String BOX = "box";

  /** The detector's score. */
  public static final String SCORE = "score";

  /** Five landmarks as [x0, y0, … x4, y4]: eyes, nose tip, mouth corners. */
  public static final String LANDMARKS = "landmarks";

  /** The unit embedding; empty on a reason row. */
  public static final String EMBEDDING = "embedding";

  /** The embedder that produced the embedding. */
  public static final String EMBEDDER = "embedder";

  /** Why an image gave no face row (unreadable, too large, no face), else null. */
  public static final String REASON = "reason";

  /** An enrolled person's name. */
  public static final String IDENTITY = "identity";

  /** Similarity of a probe to an identity's closest template. */
  public static final String SIMILARITY = "similarity";

  /** The probe's key in identification results. */
  public static final String PROBE = "probe";

  /** Ranked candidates of an identification: array of (identity, similarity). */
  public static final String CANDIDATES = "candidates";

  /** Whether the best candidate reaches the threshold. */
  public static final String MATCH = "match";

  /** The cluster of a face: the smallest key among its faces; null for a face left alone. */
  public static final String CLUSTER = "cluster";

  /** The open-set threshold the decision used. */
  public static final String THRESHOLD = "threshold";

  /** One row per face found, or per image without one. */
  public static final StructType FACES =
      createStructType(
          List.of(
              createStructField(PATH, StringType, false),
              createStructField(FACE, IntegerType, false),
              createStructField(BOX, createArrayType(FloatType, false), true),
              createStructField(SCORE, FloatType, true),
              createStructField(LANDMARKS, createArrayType(FloatType, false), true),
              createStructField(EMBEDDING, createArrayType(FloatType, false), false),
              createStructField(EMBEDDER, StringType, false),
              createStructField(REASON, StringType, true)));

  /** A candidate of an identification. */
  public static final StructType CANDIDATE =
      createStructType(
          List.of(
              createStructField(IDENTITY, StringType, false),
              createStructField(SIMILARITY, FloatType, false)));

  /** One row per probe: its candidates, best first, and the open-set decision. */
  public static final StructType IDENTIFICATIONS =
      createStructType(
          List.of(
              createStructField(PROBE, StringType, false),
              createStructField(CANDIDATES, createArrayType(CANDIDATE, false), false),
              createStructField(IDENTITY, StringType, true),
              createStructField(SIMILARITY, FloatType, true),
              createStructField(MATCH, BooleanType, false),
              createStructField(THRESHOLD, FloatType, false),
              createStructField(REASON, StringType, true)));

  /** One row per pair of a self-search. */
  public static final StructType PAIRS =
      createStructType(
          List.of(
              createStructField("left", StringType, false),
              createStructField("right", StringType, false),
              createStructField(SIMILARITY, FloatType, false)));

  /** One row per face of a clustering. */
  public static final StructType CLUSTERS =
      createStructType(
          List.of(
              createStructField(PROBE, StringType, false),
              createStructField(CLUSTER, StringType, true)));

  /**
   * Rows of a string key and an embedding: {@link #IDENTITY} for a gallery, {@link #PROBE} for
   * probes and for the faces a self-search or a clustering takes.
   */
  public static StructType keyed(String keyColumn) {
    return createStructType(
        List.of(
            createStructField(keyColumn, StringType, false),
            createStructField(EMBEDDING, createArrayType(FloatType, false), false)));
  }
}
