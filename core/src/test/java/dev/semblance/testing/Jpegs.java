package dev.semblance.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;

/** Builds JPEG files for tests, optionally with an EXIF orientation tag. */
public final class Jpegs {
  private Jpegs() {}

  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IOException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The JPEG with an APP1 EXIF segment holding only IFD0's Orientation tag, inserted right after
   * the SOI marker.
   */
  public static byte[] withOrientation(byte[] jpeg, int orientation) {
    // TIFF header (big-endian), one IFD entry: tag 0x0112, type SHORT, count 1, value.
    ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    tiff.putShort((short) 1);
    tiff.putShort((short) 0x0112)
        .putShort((short) 3)
        .putInt(1)
        .putShort((short) orientation)
        .putShort((short) 0);
    tiff.putInt(0);
    byte[] exifHeader = {'E', 'x', 'i', 'f', 0, 0};
    int length = 2 + exifHeader.length + tiff.capacity();
    ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
    out.put(jpeg, 0, 2); // SOI
    out.put((byte) 0xFF)
        .put((byte) 0xE1)
        .putShort((short) length)
        .put(exifHeader)
        .put(tiff.array());
    out.put(jpeg, 2, jpeg.length - 2);
    return out.array();
  }

  /** The image rotated 90° counter-clockwise: EXIF orientation 6 shows it upright again. */
  public static BufferedImage rotatedCounterClockwise(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out.setRGB(y, w - 1 - x, image.getRGB(x, y));
      }
    }
    return out;
  }
}
