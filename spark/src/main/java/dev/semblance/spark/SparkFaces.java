package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.ImageFaces;
import dev.semblance.Point;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.LongAccumulator;

/**
 * Encodes a collection of images as a Spark job: every face of every image, detected, aligned and
 * embedded exactly as {@link Encoder} does on one machine.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("hdfs:///photos");
 * SparkFaces.Encoded encoded = SparkFaces.encode(images, EncodeOptions.defaults());
 * encoded.faces().write().parquet("hdfs:///faces");
 * log.info("{} faces", encoded.faceCount().value());   // after the action
 * }</pre>
 *
 * <p>Each executor JVM loads the models once and shares them between its tasks; a task embeds the
 * faces of several images together. An image that cannot be read, is too large or holds no face
 * never fails the task: it gives one row with an empty embedding and a {@link FaceColumns#REASON},
 * and is counted.
 *
 * <p><b>Thread safety.</b> Stateless; the returned Dataset is Spark's.
 */
public final class SparkFaces {
  private SparkFaces() {}

  /**
   * A lazily computed face table and the counters its first computation fills. Spark may run a task
   * more than once (retries, recomputation), so counters are exact only when the table is computed
   * once: write or cache it before reading them.
   *
   * @param faces rows of {@link FaceColumns#FACES}
   * @param faceCount faces found
   * @param withoutFace images decoded but holding no face
   * @param unreadable images that could not be read or decoded, or were too large
   */
  public record Encoded(
      Dataset<Row> faces,
      LongAccumulator faceCount,
      LongAccumulator withoutFace,
      LongAccumulator unreadable) {}

  /**
   * Encodes {@code images}: a DataFrame with a string column {@code path} and, optionally, a binary
   * column {@code content} holding the file's bytes, as Spark's {@code binaryFile} source gives.
   * Without {@code content}, executors read {@code path} from their own file system (a local path
   * or a {@code file:} URI); use {@code binaryFile} for HDFS or object stores.
   *
   * @throws IllegalArgumentException before any job runs, if the columns are missing or of the
   *     wrong type
   */
  public static Encoded encode(Dataset<Row> images, EncodeOptions options) {
    checkColumn(images, "path", DataTypes.StringType);
    boolean hasContent = Arrays.asList(images.columns()).contains("content");
    if (hasContent) {
      checkColumn(images, "content", DataTypes.BinaryType);
    }
    var context = images.sparkSession().sparkContext();
    LongAccumulator faces = context.longAccumulator("semblance faces");
    LongAccumulator withoutFace = context.longAccumulator("semblance images without a face");
    LongAccumulator unreadable = context.longAccumulator("semblance unreadable images");
    Dataset<Row> input = hasContent ? images.select("path", "content") : images.select("path");
    Dataset<Row> out =
        input.mapPartitions(
            new EncodePartition(options, hasContent, faces, withoutFace, unreadable),
            Encoders.row(FaceColumns.FACES));
    return new Encoded(out, faces, withoutFace, unreadable);
  }

  static void checkColumn(Dataset<Row> data, String name, DataType type) {
    StructField field =
        Arrays.stream(data.schema().fields())
            .filter(f -> f.name().equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the DataFrame has no column '"
                            + name
                            + "' (it has "
                            + String.join(", ", data.columns())
                            + ")"));
    checkArgument(
        sameType(field.dataType(), type),
        "column '%s' is %s, not %s",
        name,
        field.dataType().simpleString(),
        type.simpleString());
  }

  /** Equal types; arrays whatever their nullability (Parquet makes array elements nullable). */
  private static boolean sameType(DataType a, DataType b) {
    if (a instanceof ArrayType x && b instanceof ArrayType y) {
      return x.elementType().equals(y.elementType());
    }
    return a.equals(b);
  }

  /** Encodes one partition, a batch of images at a time. */
  private static final class EncodePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final EncodeOptions options;
    private final boolean hasContent;
    private final LongAccumulator faces;
    private final LongAccumulator withoutFace;
    private final LongAccumulator unreadable;

    EncodePartition(
        EncodeOptions options,
        boolean hasContent,
        LongAccumulator faces,
        LongAccumulator withoutFace,
        LongAccumulator unreadable) {
      this.options = options;
      this.hasContent = hasContent;
      this.faces = faces;
      this.withoutFace = withoutFace;
      this.unreadable = unreadable;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      Encoder encoder = ExecutorEncoders.get(options);
      return new Iterator<>() {
        private Iterator<Row> ready = List.<Row>of().iterator();

        @Override
        public boolean hasNext() {
          while (!ready.hasNext() && rows.hasNext()) {
            ready = nextBatch(encoder, rows).iterator();
          }
          return ready.hasNext();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return ready.next();
        }
      };
    }

    private List<Row> nextBatch(Encoder encoder, Iterator<Row> rows) {
      List<String> paths = new ArrayList<>();
      List<byte[]> bytes = new ArrayList<>();
      List<Row> out = new ArrayList<>();
      while (rows.hasNext() && paths.size() < options.batchImages()) {
        Row row = rows.next();
        String path = row.getString(0);
        byte[] content = hasContent ? (byte[]) row.get(1) : read(path);
        if (content == null) {
          out.add(reasonRow(path, "cannot read " + path, encoder.embedderId()));
          unreadable.add(1);
          continue;
        }
        paths.add(path);
        bytes.add(content);
      }
      for (ImageFaces image : encoder.encodeEach(bytes, paths)) {
        if (!image.isReadable()) {
          unreadable.add(1);
          out.add(reasonRow(image.name(), image.failure(), encoder.embedderId()));
        } else if (image.faces().isEmpty()) {
          withoutFace.add(1);
          out.add(reasonRow(image.name(), "no face found", encoder.embedderId()));
        } else if (options.mainFaceOnly()) {
          int main = image.mainFaceIndex();
          out.add(faceRow(image.name(), main, image.faces().get(main), encoder.embedderId()));
          faces.add(1);
        } else {
          for (int i = 0; i < image.faces().size(); i++) {
            out.add(faceRow(image.name(), i, image.faces().get(i), encoder.embedderId()));
          }
          faces.add(image.faces().size());
        }
      }
      return out;
    }

    private static byte[] read(String path) {
      try {
        Path file = path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
        return Files.readAllBytes(file);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }

  static Row faceRow(String path, int index, Face face, String embedderId) {
    float[] landmarks = new float[2 * face.landmarks().size()];
    for (int i = 0; i < face.landmarks().size(); i++) {
      Point p = face.landmarks().get(i);
      landmarks[2 * i] = p.x();
      landmarks[2 * i + 1] = p.y();
    }
    return RowFactory.create(
        path,
        index,
        boxed(
            new float[] {
              face.box().left(), face.box().top(), face.box().right(), face.box().bottom()
            }),
        face.score(),
        boxed(landmarks),
        boxed(face.embedding().toArray()),
        embedderId,
        null);
  }

  static Row reasonRow(String path, String reason, String embedderId) {
    return RowFactory.create(path, -1, null, null, null, new Float[0], embedderId, reason);
  }

  /** Spark's row encoder takes arrays of boxed floats. */
  static Float[] boxed(float[] values) {
    Float[] out = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** A float array column's value as a primitive array; null elements are refused. */
  static float[] floats(Row row, int field) {
    Object value = row.get(field);
    // Rows from Spark hold a Seq; rows built in the driver may hold the array itself.
    List<?> values = value instanceof Object[] array ? Arrays.asList(array) : row.getList(field);
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = values.get(i);
      if (!(v instanceof Float f)) {
        throw new IllegalArgumentException("embedding element " + i + " is " + v + ", not a float");
      }
      out[i] = f;
    }
    return out;
  }
}
