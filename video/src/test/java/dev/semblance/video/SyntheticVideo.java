package dev.semblance.video;

import dev.semblance.Box;
import dev.semblance.RgbFrame;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Test videos made with FFmpeg itself: portraits that move across a textured background along known
 * paths, so that where each face is, and whose it is, is known for every frame.
 */
public final class SyntheticVideo {
  /** A person's portrait moving from {@code from} to {@code to} between two frames. */
  public record Actor(
      String name, BufferedImage portrait, int size, Point from, Point to, int first, int last) {
    public Actor(
        String name,
        BufferedImage portrait,
        int size,
        double[] from,
        double[] to,
        int first,
        int last) {
      this(name, portrait, size, new Point(from[0], from[1]), new Point(to[0], to[1]), first, last);
    }

    /** The portrait's rectangle in frame {@code i}, or null when off screen. */
    public Box at(int i) {
      if (i < first || i > last) {
        return null;
      }
      double t = last == first ? 0 : (i - first) / (double) (last - first);
      float x = (float) (from.x() + t * (to.x() - from.x()));
      float y = (float) (from.y() + t * (to.y() - from.y()));
      return new Box(x, y, x + size, y + size);
    }
  }

  /** A position in pixels. */
  public record Point(double x, double y) {}

  private SyntheticVideo() {}

  /** Draws frame {@code i} of a video. */
  private interface Scene {
    void paint(Graphics2D g, int i);
  }

  /** Renders the frames into {@code out}, encoded as its extension says ({@link VideoWriter}). */
  public static void write(
      Path out, int width, int height, int fps, int frames, List<Actor> actors) {
    render(
        out,
        width,
        height,
        fps,
        frames,
        (g, i) -> {
          background(g, width, height, i);
          for (Actor a : actors) {
            Box b = a.at(i);
            if (b != null) {
              g.drawImage(
                  a.portrait(),
                  Math.round(b.left()),
                  Math.round(b.top()),
                  a.size(),
                  a.size(),
                  null);
            }
          }
        });
  }

  /**
   * A camera panning and zooming over a photo: the view moves from {@code from} to {@code to}
   * (rectangles in the photo's pixels) over {@code cut} frames, then the video cuts to a wall with
   * no face for the remaining frames.
   */
  public static void writePan(
      Path out,
      int width,
      int height,
      int fps,
      BufferedImage photo,
      Box from,
      Box to,
      int cut,
      int frames) {
    render(
        out,
        width,
        height,
        fps,
        frames,
        (g, i) -> {
          if (i < cut) {
            double t = i / (double) Math.max(1, cut - 1);
            double l = from.left() + t * (to.left() - from.left());
            double top = from.top() + t * (to.top() - from.top());
            double r = from.right() + t * (to.right() - from.right());
            double b = from.bottom() + t * (to.bottom() - from.bottom());
            g.drawImage(photo, 0, 0, width, height, (int) l, (int) top, (int) r, (int) b, null);
          } else {
            background(g, width, height, i);
          }
        });
  }

  private static void render(Path out, int width, int height, int fps, int frames, Scene scene) {
    BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    try (VideoWriter writer = VideoWriter.open(out, width, height, fps)) {
      for (int i = 0; i < frames; i++) {
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        scene.paint(g, i);
        g.dispose();
        writer.write(rgbOf(frame));
      }
    }
  }

  /** An image's pixels as an RGB frame. */
  static RgbFrame rgbOf(BufferedImage frame) {
    byte[] bgr = ((DataBufferByte) frame.getRaster().getDataBuffer()).getData();
    byte[] rgb = new byte[bgr.length];
    for (int p = 0; p < bgr.length; p += 3) {
      rgb[p] = bgr[p + 2];
      rgb[p + 1] = bgr[p + 1];
      rgb[p + 2] = bgr[p];
    }
    return RgbFrame.of(frame.getWidth(), frame.getHeight(), rgb);
  }

  /** A slowly drifting pattern of soft stripes: texture for the encoder, no face in it. */
  private static void background(Graphics2D g, int width, int height, int frame) {
    g.setColor(new Color(96, 104, 112));
    g.fillRect(0, 0, width, height);
    for (int x = -80 + (frame % 80); x < width; x += 80) {
      g.setColor(new Color(110, 118, 126));
      g.fillRect(x, 0, 30, height);
    }
  }

  public static BufferedImage read(Path file) {
    try {
      BufferedImage grey = javax.imageio.ImageIO.read(file.toFile());
      BufferedImage rgb =
          new BufferedImage(grey.getWidth(), grey.getHeight(), BufferedImage.TYPE_INT_RGB);
      Graphics2D g = rgb.createGraphics();
      g.drawImage(grey, 0, 0, null);
      g.dispose();
      return rgb;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
