package dev.semblance.internal.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * An 8-bit RGB image with interleaved samples, the one pixel format the pipeline works on.
 * Immutable by convention: nothing writes to {@link #rgb()} after construction.
 */
public final class RgbImage {
  private final int width;
  private final int height;
  private final byte[] rgb;

  public RgbImage(int width, int height, byte[] rgb) {
    checkArgument(width > 0 && height > 0, "image must not be empty: %sx%s", width, height);
    checkArgument(
        rgb.length == 3L * width * height,
        "%sx%s RGB needs %s bytes",
        width,
        height,
        3L * width * height);
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Interleaved R, G, B bytes, row by row. Do not modify. */
  public byte[] rgb() {
    return rgb;
  }

  /** Sample {@code channel} (0 = R, 1 = G, 2 = B) of pixel (x, y), as 0..255. */
  public int sample(int x, int y, int channel) {
    return rgb[(y * width + x) * 3 + channel] & 0xFF;
  }

  /**
   * Converts any decoded image to RGB. Greyscale rasters are read directly: going through {@link
   * BufferedImage#getRGB} would apply the JDK's linear-grey colour conversion and brighten the
   * picture.
   */
  public static RgbImage from(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    boolean grey =
        cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
            && raster.getNumBands() >= 1
            && cm.getNumColorComponents() == 1;
    if (grey) {
      int bits = cm.getComponentSize(0);
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int v = bits > 8 ? row[x] >>> (bits - 8) : row[x] << (8 - bits);
          byte b = (byte) Math.min(255, v);
          int o = (y * w + x) * 3;
          out[o] = b;
          out[o + 1] = b;
          out[o + 2] = b;
        }
      }
    } else if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
        && raster.getDataBuffer() instanceof DataBufferByte bytes
        && bytes.getNumBanks() == 1
        && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
        && sm.getPixelStride() == 3
        && sm.getScanlineStride() == 3 * w
        && raster.getSampleModelTranslateX() == 0
        && raster.getSampleModelTranslateY() == 0) {
      // What ImageIO's JPEG readers return: copy the bytes, swapping B and R.
      byte[] bgr = bytes.getData();
      for (int i = 0; i < out.length; i += 3) {
        out[i] = bgr[i + 2];
        out[i + 1] = bgr[i + 1];
        out[i + 2] = bgr[i];
      }
    } else {
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int p = row[x];
          int o = (y * w + x) * 3;
          out[o] = (byte) (p >> 16);
          out[o + 1] = (byte) (p >> 8);
          out[o + 2] = (byte) p;
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  public BufferedImage toBufferedImage() {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int o = (y * width + x) * 3;
        row[x] = (rgb[o] & 0xFF) << 16 | (rgb[o + 1] & 0xFF) << 8 | (rgb[o + 2] & 0xFF);
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
    return image;
  }

  /**
   * Applies an EXIF orientation (1..8) so that the result is upright as a viewer shows it. Values
   * outside 2..8 return this image.
   */
  public RgbImage orient(int exifOrientation) {
    if (exifOrientation < 2 || exifOrientation > 8) {
      return this;
    }
    boolean transpose = exifOrientation >= 5;
    int outW = transpose ? height : width;
    int outH = transpose ? width : height;
    byte[] out = new byte[rgb.length];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        // (sx, sy): the stored pixel shown at displayed position (x, y).
        int sx;
        int sy;
        switch (exifOrientation) {
          case 2 -> {
            sx = width - 1 - x;
            sy = y;
          }
          case 3 -> {
            sx = width - 1 - x;
            sy = height - 1 - y;
          }
          case 4 -> {
            sx = x;
            sy = height - 1 - y;
          }
          case 5 -> {
            sx = y;
            sy = x;
          }
          case 6 -> {
            sx = y;
            sy = height - 1 - x;
          }
          case 7 -> {
            sx = width - 1 - y;
            sy = height - 1 - x;
          }
          default -> {
            sx = width - 1 - y;
            sy = x;
          } // 8
        }
        System.arraycopy(rgb, (sy * width + sx) * 3, out, (y * outW + x) * 3, 3);
      }
    }
    return new RgbImage(outW, outH, out);
  }
}
