package dev.semblance.examples;

import dev.semblance.Box;
import dev.semblance.Face;
import dev.semblance.Point;
import dev.semblance.io.DurableFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;

/** Draws face boxes, landmarks and labels onto a copy of an image and writes it as PNG. */
final class Annotator {
  private Annotator() {}

  static void write(BufferedImage image, List<Face> faces, IntFunction<String> label, Path out) {
    BufferedImage copy =
        new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = copy.createGraphics();
    try {
      g.drawImage(image, 0, 0, null);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      float scale = Math.max(1f, Math.max(image.getWidth(), image.getHeight()) / 600f);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(12 * scale)));
      for (int i = 0; i < faces.size(); i++) {
        Face f = faces.get(i);
        Box b = f.box();
        g.setColor(new Color(0, 230, 90));
        g.setStroke(new BasicStroke(2 * scale));
        g.drawRect(
            Math.round(b.left()),
            Math.round(b.top()),
            Math.round(b.width()),
            Math.round(b.height()));
        g.setColor(new Color(255, 60, 60));
        int r = Math.round(2 * scale);
        for (Point p : f.landmarks()) {
          g.fillOval(Math.round(p.x()) - r, Math.round(p.y()) - r, 2 * r + 1, 2 * r + 1);
        }
        String text = label.apply(i);
        int tx = Math.round(b.left());
        int ty = Math.round(b.top()) - Math.round(4 * scale);
        int tw = g.getFontMetrics().stringWidth(text);
        int th = g.getFontMetrics().getHeight();
        g.setColor(new Color(0, 0, 0, 160));
        g.fillRect(tx, ty - th + Math.round(3 * scale), tw + 4, th);
        g.setColor(Color.WHITE);
        g.drawString(text, tx + 2, ty);
      }
    } finally {
      g.dispose();
    }
    DurableFiles.replace(
        out,
        stream -> {
          if (!ImageIO.write(copy, "png", stream)) {
            throw new IOException("no PNG writer");
          }
        });
  }
}
