package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Semblance galleries to and from DataFrames of ({@link FaceColumns#IDENTITY}, {@link
 * FaceColumns#EMBEDDING}) rows. The driver writes the gallery: rows stream to it one partition at a
 * time, so it holds the gallery but never the whole DataFrame twice.
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class SparkGalleries {
  private SparkGalleries() {}

  /**
   * Enrols every row into {@code gallery} (rows of one identity add templates to it), on the
   * driver, and returns how many rows were enrolled.
   *
   * @throws IllegalArgumentException if a row's identity is invalid or its embedding is not a
   *     finite vector of the gallery's dimension; rows before it stay enrolled
   */
  public static long enrollAll(Dataset<Row> rows, Gallery gallery) {
    SparkFaces.checkColumn(rows, FaceColumns.IDENTITY, DataTypes.StringType);
    SparkFaces.checkColumn(
        rows, FaceColumns.EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false));
    long count = 0;
    Iterator<Row> it = rows.select(FaceColumns.IDENTITY, FaceColumns.EMBEDDING).toLocalIterator();
    while (it.hasNext()) {
      Row row = it.next();
      String identity = row.getString(0);
      gallery.enroll(identity, embedding(row, 1, gallery.dimension(), identity));
      count++;
    }
    return count;
  }

  /** Writes the rows as a gallery file for {@code embedderId}; see {@link #enrollAll}. */
  public static Gallery toGalleryFile(
      Dataset<Row> rows, String embedderId, int dimension, Path file) {
    Gallery gallery = Gallery.create(embedderId, dimension);
    enrollAll(rows, gallery);
    gallery.save(file);
    return gallery;
  }

  /**
   * Enrols the rows into a durable gallery directory opened by {@code directory} (each enrolment on
   * disk as it is made); the caller closes the returned gallery.
   */
  public static Gallery toGalleryDirectory(Dataset<Row> rows, GalleryDirectory directory) {
    Gallery gallery = directory.open();
    try {
      enrollAll(rows, gallery);
    } catch (RuntimeException e) {
      gallery.close();
      throw e;
    }
    return gallery;
  }

  /** Every template of {@code gallery} as a row (identity, embedding). */
  public static Dataset<Row> read(SparkSession spark, Gallery gallery) {
    List<Row> rows = new ArrayList<>();
    for (String identity : gallery.identities()) {
      for (Embedding e : gallery.templates(identity)) {
        rows.add(RowFactory.create(identity, SparkFaces.boxed(e.toArray())));
      }
    }
    return spark.createDataFrame(rows, FaceColumns.keyed(FaceColumns.IDENTITY));
  }

  /** The embedding of a row, checked: finite and of {@code dimension}. */
  static Embedding embedding(Row row, int field, int dimension, String who) {
    return Embedding.of(checkedVector(row, field, dimension, who));
  }

  /** {@code v} as an embedding, checked: finite and of {@code dimension}. */
  static Embedding embedding(float[] v, int dimension, String who) {
    return Embedding.of(checked(v, dimension, who));
  }

  /** The row's vector as given (not yet normalised), checked as {@link #embedding} does. */
  static float[] checkedVector(Row row, int field, int dimension, String who) {
    checkArgument(!row.isNullAt(field), "%s has no embedding", who);
    return checked(SparkFaces.floats(row, field), dimension, who);
  }

  private static float[] checked(float[] v, int dimension, String who) {
    checkArgument(v != null, "%s has no embedding", who);
    checkArgument(
        v.length == dimension, "%s has a %s-d embedding, not %s-d", who, v.length, dimension);
    boolean nonZero = false;
    for (float x : v) {
      checkArgument(Float.isFinite(x), "%s has an embedding with %s in it", who, x);
      nonZero |= x != 0;
    }
    checkArgument(nonZero, "%s has an all-zero embedding", who);
    return v;
  }
}
