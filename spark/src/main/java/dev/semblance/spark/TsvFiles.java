package dev.semblance.spark;

import dev.semblance.io.DurableFiles;
import dev.semblance.io.EmbeddingTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The local TSV files the jobs write with {@code --format tsv}, streamed to the driver a partition
 * at a time and replaced durably.
 *
 * <p>Thread safety: stateless.
 */
final class TsvFiles {
  private TsvFiles() {}

  /** Writes the rows to one local file, streamed to the driver a partition at a time. */
  private static void write(Dataset<Row> data, Path out, TsvBody body) {
    DurableFiles.replace(
        out,
        stream -> {
          Writer w =
              new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
          body.write(data.toLocalIterator(), w);
          w.flush();
        });
  }

  @FunctionalInterface
  private interface TsvBody {
    void write(Iterator<Row> rows, Writer w) throws IOException;
  }

  /** An encode output as {@link EmbeddingTable}, the table of {@code semblance embed}. */
  static void writeEmbeddings(Dataset<Row> faces, Path out) {
    write(
        faces,
        out,
        (rows, w) -> {
          // The header needs the dimension: reason rows before the first face wait for it.
          StringBuilder pending = new StringBuilder();
          boolean header = false;
          while (rows.hasNext()) {
            Row r = rows.next();
            String path = r.getAs(FaceColumns.PATH);
            String reason = r.getAs(FaceColumns.REASON);
            if (reason != null) {
              (header ? w : pending).append(EmbeddingTable.reasonRow(path, reason, 0));
              continue;
            }
            float[] embedding = SparkFaces.floats(r, r.fieldIndex(FaceColumns.EMBEDDING));
            if (!header) {
              w.write(EmbeddingTable.header(List.of(), embedding.length));
              w.append(pending);
              header = true;
            }
            List<Float> box = r.getList(r.fieldIndex(FaceColumns.BOX));
            w.write(
                EmbeddingTable.faceRow(
                    path,
                    r.<Integer>getAs(FaceColumns.FACE),
                    new float[] {box.get(0), box.get(1), box.get(2), box.get(3)},
                    r.<Float>getAs(FaceColumns.SCORE),
                    List.of(),
                    embedding));
          }
          if (!header) {
            w.append(pending); // no face at all: reason rows only
          }
        });
  }

  /** A DataFrame of scalar columns as one tab-separated file with a header, written durably. */
  static void writeRows(Dataset<Row> data, Path out) {
    write(
        data,
        out,
        (it, w) -> {
          w.write(String.join("\t", data.columns()) + "\n");
          while (it.hasNext()) {
            Row r = it.next();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
              line.append(i == 0 ? "" : "\t").append(r.isNullAt(i) ? "" : String.valueOf(r.get(i)));
            }
            w.write(line.append('\n').toString());
          }
        });
  }
}
