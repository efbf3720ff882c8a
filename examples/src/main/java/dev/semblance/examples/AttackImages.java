package dev.semblance.examples;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Attack-like images made from real photos, for want of a presentation-attack data set: the photo
 * as a camera would see it printed on a sheet of paper or shown on a screen held up to it. What
 * each kind adds is what anti-spoofing models learn to look for: the medium's border in the frame,
 * its colour and contrast, the screen's moiré and pixel grid or the print's halftone, glare, a
 * tilted (affine, not truly perspective) view, the camera's blur and a second JPEG compression.
 */
final class AttackImages {
  enum Kind {
    /** A print held up, its paper edge in view. */
    PRINT,
    /** A phone or monitor held up, its bezel in view. */
    SCREEN,
    /** A screen held so close that it fills the frame: no edge, only the screen's own marks. */
    SCREEN_CLOSE_UP
  }

  private AttackImages() {}

  /** The photo re-captured as {@code kind}; the same {@code random} state gives the same image. */
  static BufferedImage make(BufferedImage photo, Kind kind, Random random) {
    int w = photo.getWidth(), h = photo.getHeight();
    // The frame: a little more than the photo, so that the medium's edge shows around it.
    int fw = (int) (w * 1.35), fh = (int) (h * 1.35);
    BufferedImage frame = new BufferedImage(fw, fh, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    int wall = 60 + random.nextInt(120);
    g.setColor(new Color(wall, wall - random.nextInt(20), wall - random.nextInt(30)));
    g.fillRect(0, 0, fw, fh);
    AffineTransform view = new AffineTransform();
    view.translate(fw / 2.0, fh / 2.0);
    view.rotate(Math.toRadians(random.nextGaussian() * 5));
    view.shear(random.nextGaussian() * 0.06, random.nextGaussian() * 0.06);
    double s =
        kind == Kind.SCREEN_CLOSE_UP
            ? 1.5 + random.nextDouble() * 0.1
            : 0.85 + random.nextDouble() * 0.1;
    view.scale(s * (1 + random.nextGaussian() * 0.04), s);
    view.translate(-w / 2.0, -h / 2.0);
    BufferedImage shown = kind == Kind.PRINT ? printed(photo, random) : onScreen(photo, random);
    double margin = kind == Kind.PRINT ? 0.06 * w : 0.04 * w;
    g.setColor(kind == Kind.PRINT ? new Color(238, 236, 228) : new Color(12, 12, 14));
    g.fill(
        view.createTransformedShape(
            new Rectangle2D.Double(-margin, -margin, w + 2 * margin, h + 2 * margin)));
    g.drawImage(shown, view, null);
    g.dispose();
    light(frame, kind, random);
    return jpeg(blur(frame), 70 + random.nextInt(20));
  }

  /** Printing: duller colours, lifted blacks, a halftone-like dot pattern. */
  private static BufferedImage printed(BufferedImage photo, Random random) {
    BufferedImage out = copy(photo);
    int w = out.getWidth();
    int[] px = out.getRGB(0, 0, w, out.getHeight(), null, 0, w);
    double pitch = 2.5 + random.nextDouble() * 1.5;
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < w; x++) {
        int rgb = px[y * w + x];
        double dots = 6 * Math.sin(x * Math.PI / pitch) * Math.sin(y * Math.PI / pitch);
        double grey = ((rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255)) / 3.0;
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) {
          double v = rgb >> (16 - 8 * k) & 255;
          v = 0.8 * v + 0.2 * grey; // desaturated
          c[k] = clamp(25 + 0.8 * v + dots);
        }
        px[y * w + x] = c[0] << 16 | c[1] << 8 | c[2];
      }
    }
    out.setRGB(0, 0, w, out.getHeight(), px, 0, w);
    return out;
  }

  /** A screen: brighter, bluer, the pixel grid and the moiré it makes with the camera's sensor. */
  private static BufferedImage onScreen(BufferedImage photo, Random random) {
    BufferedImage out = copy(photo);
    double frequency = 0.6 + random.nextDouble() * 0.9;
    double angle = random.nextDouble() * Math.PI;
    double amplitude = 8 + random.nextDouble() * 8;
    int w = out.getWidth();
    int[] px = out.getRGB(0, 0, w, out.getHeight(), null, 0, w);
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < w; x++) {
        int rgb = px[y * w + x];
        double moire =
            amplitude * Math.sin(frequency * (x * Math.cos(angle) + y * Math.sin(angle)));
        double scanline = y % 3 == 0 ? -6 : 0;
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) {
          double v = rgb >> (16 - 8 * k) & 255;
          double stripe = x % 3 == k ? 5 : -2; // the R, G, B sub-pixels
          double cast = k == 2 ? 10 : k == 0 ? -6 : 0;
          c[k] = clamp(255 * Math.pow(v / 255, 0.85) + moire + scanline + stripe + cast);
        }
        px[y * w + x] = c[0] << 16 | c[1] << 8 | c[2];
      }
    }
    out.setRGB(0, 0, w, out.getHeight(), px, 0, w);
    return out;
  }

  /** Uneven light across the medium and a soft glare spot. */
  private static void light(BufferedImage frame, Kind kind, Random random) {
    int w = frame.getWidth(), h = frame.getHeight();
    double gx = random.nextDouble() * w, gy = random.nextDouble() * h;
    double radius = (kind == Kind.SCREEN ? 0.25 : 0.15) * Math.min(w, h);
    double glare = 60 + random.nextDouble() * 80;
    double slope = (random.nextDouble() - 0.5) * 0.5;
    int[] px = frame.getRGB(0, 0, w, h, null, 0, w);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double gain = 1 + slope * (x / (double) w - 0.5);
        double d2 = ((x - gx) * (x - gx) + (y - gy) * (y - gy)) / (2 * radius * radius);
        double add = glare * Math.exp(-d2);
        int rgb = px[y * w + x];
        int r = clamp((rgb >> 16 & 255) * gain + add);
        int g = clamp((rgb >> 8 & 255) * gain + add);
        int b = clamp((rgb & 255) * gain + add);
        px[y * w + x] = r << 16 | g << 8 | b;
      }
    }
    frame.setRGB(0, 0, w, h, px, 0, w);
  }

  /** The camera's slight defocus: a 3×3 binomial blur. */
  private static BufferedImage blur(BufferedImage in) {
    int w = in.getWidth(), h = in.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] src = in.getRGB(0, 0, w, h, null, 0, w);
    int[] dst = new int[src.length];
    int[] kernel = {1, 2, 1};
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] sum = new int[3];
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int rgb =
                in.getRGB(
                    Math.min(w - 1, Math.max(0, x + dx)), Math.min(h - 1, Math.max(0, y + dy)));
            int weight = kernel[dx + 1] * kernel[dy + 1];
            sum[0] += (rgb >> 16 & 255) * weight;
            sum[1] += (rgb >> 8 & 255) * weight;
            sum[2] += (rgb & 255) * weight;
          }
        }
        dst[y * w + x] = (sum[0] / 16) << 16 | (sum[1] / 16) << 8 | sum[2] / 16;
      }
    }
    out.setRGB(0, 0, w, h, dst, 0, w);
    return out;
  }

  private static BufferedImage jpeg(BufferedImage image, int quality) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality / 100f);
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(image, null, null), param);
      } finally {
        writer.dispose();
      }
      return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BufferedImage copy(BufferedImage photo) {
    BufferedImage out =
        new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(photo, 0, 0, null);
    g.dispose();
    return out;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
