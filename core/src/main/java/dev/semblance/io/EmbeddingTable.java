package dev.semblance.io;

import java.util.List;
import java.util.Locale;

/**
 * The tab-separated table of embeddings that {@code semblance embed} and the Spark {@code encode}
 * job write, for other tools to read: a header, then one row per face — {@code path face left top
 * right bottom score note}, optional analysis columns, then {@code e0 … e(d−1)} — and one row per
 * image without a usable face, its fields empty and the reason in {@code note}. Box and score have
 * two decimals; embedding components are written exactly ({@link Float#toString}).
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class EmbeddingTable {
  private EmbeddingTable() {}

  /** The header line, with its newline. */
  public static String header(List<String> analysisColumns, int dimension) {
    StringBuilder s = new StringBuilder("path\tface\tleft\ttop\tright\tbottom\tscore\tnote");
    for (String column : analysisColumns) {
      s.append('\t').append(column);
    }
    for (int i = 0; i < dimension; i++) {
      s.append("\te").append(i);
    }
    return s.append('\n').toString();
  }

  /**
   * The row of one face, with its newline.
   *
   * @param box left, top, right, bottom in pixels
   * @param analysis the values of the analysis columns, already formatted
   */
  public static String faceRow(
      String path, int face, float[] box, float score, List<String> analysis, float[] embedding) {
    StringBuilder s = new StringBuilder(16 * (embedding.length + 10));
    s.append(cell(path)).append('\t').append(face);
    for (float v : box) {
      s.append('\t').append(String.format(Locale.ROOT, "%.2f", v));
    }
    s.append('\t').append(String.format(Locale.ROOT, "%.2f", score)).append('\t');
    for (String value : analysis) {
      s.append('\t').append(value);
    }
    for (float v : embedding) {
      s.append('\t').append(v);
    }
    return s.append('\n').toString();
  }

  /** The row of an image without a usable face, with its newline. */
  public static String reasonRow(String path, String reason, int analysisColumns) {
    return cell(path) + "\t".repeat(7) + cell(reason) + "\t".repeat(analysisColumns) + "\n";
  }

  /** A value on one line of one cell: tabs and line breaks become spaces. */
  private static String cell(String value) {
    return value.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
