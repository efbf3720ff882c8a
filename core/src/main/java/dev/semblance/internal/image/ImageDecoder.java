package dev.semblance.internal.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import dev.semblance.InvalidImageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes JPEG, PNG, BMP and GIF (first frame) bytes into an upright {@link RgbImage}. The size is
 * read from the header and checked against the pixel limit before any pixel buffer is allocated, so
 * a tiny file that claims 100,000 × 100,000 pixels is refused cheaply.
 */
public final class ImageDecoder {
  private static final Logger log = LoggerFactory.getLogger(ImageDecoder.class);

  static {
    // Decoding is in memory; a disk cache would only add temporary files.
    ImageIO.setUseCache(false);
  }

  private final long maxPixels;

  public ImageDecoder(long maxPixels) {
    this.maxPixels = maxPixels;
  }

  public RgbImage decode(byte[] bytes, String source) {
    if (bytes.length == 0) {
      throw new InvalidImageException("image is empty (0 bytes): " + source);
    }
    BufferedImage image;
    String format;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InvalidImageException(
            "not a supported image (JPEG, PNG, BMP or GIF expected): " + source);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        format = reader.getFormatName().toLowerCase(Locale.ROOT);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new InvalidImageException(
              "image has no pixels (" + width + "x" + height + "): " + source);
        }
        if (width * height > maxPixels) {
          throw new InvalidImageException(
              String.format(
                  Locale.ROOT,
                  "image is %dx%d = %d pixels, above the limit of %d: %s",
                  width,
                  height,
                  width * height,
                  maxPixels,
                  source));
        }
        TruncationWatch watch = new TruncationWatch();
        reader.addIIOReadWarningListener(watch);
        image = reader.read(0);
        if (watch.truncated != null) {
          throw new InvalidImageException(
              "image is truncated (" + watch.truncated + "): " + source);
        }
      } finally {
        reader.dispose();
      }
    } catch (InvalidImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InvalidImageException(
          "image is corrupt or truncated (" + e.getMessage() + "): " + source, e);
    }
    RgbImage rgb = RgbImage.from(image);
    return "jpeg".equals(format) ? rgb.orient(exifOrientation(bytes, source)) : rgb;
  }

  /** The EXIF orientation tag, or 1 (upright) when there is none or it cannot be read. */
  static int exifOrientation(byte[] bytes, String source) {
    try {
      Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes));
      ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
      if (exif != null && exif.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
        return exif.getInt(ExifIFD0Directory.TAG_ORIENTATION);
      }
    } catch (Exception e) {
      // The pixels decoded; unreadable metadata only costs the orientation hint.
      log.debug("ignoring unreadable EXIF metadata in {}: {}", source, e.toString());
    }
    return 1;
  }

  /** ImageIO reports a JPEG that ends early as a warning and fills the rest with grey. */
  private static final class TruncationWatch implements IIOReadWarningListener {
    String truncated;

    @Override
    public void warningOccurred(ImageReader source, String warning) {
      String w = warning.toLowerCase(Locale.ROOT);
      if (w.contains("premature end") || w.contains("truncat") || w.contains("end of file")) {
        truncated = warning;
      } else {
        log.debug("image decoder warning: {}", warning);
      }
    }
  }
}
