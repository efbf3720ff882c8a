package dev.semblance.examples;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * A self-contained HTML page of face thumbnails, one row per cluster (biggest first) and the faces
 * left alone last. Thumbnails are inline JPEGs; like the reports, {@code <body
 * data-thumbnails="ok:N">} says once all have decoded, so a headless browser can check the page.
 */
final class ContactSheet {
  static final int THUMBNAIL = 96;
  static final int PER_CLUSTER = 24;
  static final int ALONE = 120;

  private ContactSheet() {}

  static void write(Path file, ClusterCommand.Result result, Function<Path, BufferedImage> reader) {
    Map<String, BufferedImage> images = new HashMap<>();
    Function<ClusterCommand.FaceRef, String> thumb =
        f -> thumbnail(images.computeIfAbsent(f.path(), p -> reader.apply(Path.of(p))), f.box());
    StringBuilder body = new StringBuilder();
    body.append("<h1>Who is in these photos?</h1>\n<p>")
        .append(
            String.format(
                Locale.ROOT,
                "%d faces in %d images: %d clusters, %d faces alone. Method %s, similarity cut-off"
                    + " %.3f (pairwise false match rate %.0e), embedder %s.",
                result.faces(),
                result.images(),
                result.clusters().size(),
                result.alone().size(),
                result.method(),
                result.threshold(),
                result.pairwiseFmr(),
                Report.escape(result.embedder())))
        .append("</p>\n");
    for (ClusterCommand.ClusterEntry c : result.clusters()) {
      row(body, "Cluster " + c.id() + " · " + c.size() + " faces", c.faces(), PER_CLUSTER, thumb);
    }
    if (!result.alone().isEmpty()) {
      row(body, "Alone · " + result.alone().size() + " faces", result.alone(), ALONE, thumb);
    }
    Report.writePage(
        file,
        "Face clusters",
        "body{font-family:sans-serif;margin:2em;color:#222}"
            + "section{margin:1em 0;padding-bottom:.5em;border-bottom:1px solid #ddd}"
            + "h2{font-size:100%;margin:.3em 0}img{margin:2px;border-radius:4px}"
            + ".more{color:#555;font-size:90%;vertical-align:middle}"
            + ".q{position:relative;display:inline-block}.q b{position:absolute;left:4px;bottom:6px;"
            + "font-size:11px;background:rgba(0,0,0,.6);color:#fff;padding:0 3px;border-radius:3px}",
        body,
        "face",
        "data-thumbnails");
  }

  private static void row(
      StringBuilder body,
      String heading,
      List<ClusterCommand.FaceRef> faces,
      int max,
      Function<ClusterCommand.FaceRef, String> thumb) {
    body.append("<section><h2>").append(Report.escape(heading)).append("</h2>\n");
    for (ClusterCommand.FaceRef f : faces.subList(0, Math.min(max, faces.size()))) {
      String quality = f.quality() == null ? null : String.format(Locale.ROOT, "%.2f", f.quality());
      String title = f.path() + " #" + f.face() + (quality == null ? "" : " · quality " + quality);
      body.append(quality == null ? "" : "<span class=\"q\">");
      body.append("<img class=\"face\" width=\"")
          .append(THUMBNAIL)
          .append("\" height=\"")
          .append(THUMBNAIL)
          .append("\" title=\"")
          .append(Report.escape(title))
          .append("\" alt=\"")
          .append(Report.escape(title))
          .append("\" src=\"data:image/jpeg;base64,")
          .append(thumb.apply(f))
          .append("\">");
      if (quality != null) {
        body.append("<b>").append(quality).append("</b></span>");
      }
    }
    if (faces.size() > max) {
      body.append("<span class=\"more\">+").append(faces.size() - max).append(" more</span>");
    }
    body.append("</section>\n");
  }

  /** The face's box grown by a quarter on each side, squared, scaled to the thumbnail size. */
  private static String thumbnail(BufferedImage image, float[] box) {
    float cx = (box[0] + box[2]) / 2;
    float cy = (box[1] + box[3]) / 2;
    float half = Math.max(box[2] - box[0], box[3] - box[1]) * 0.75f;
    BufferedImage t = new BufferedImage(THUMBNAIL, THUMBNAIL, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = t.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(
          image,
          0,
          0,
          THUMBNAIL,
          THUMBNAIL,
          Math.round(cx - half),
          Math.round(cy - half),
          Math.round(cx + half),
          Math.round(cy + half),
          null);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(t, "jpg", jpeg)) {
        throw new IOException("no JPEG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a thumbnail", e);
    }
    return Base64.getEncoder().encodeToString(jpeg.toByteArray());
  }
}
