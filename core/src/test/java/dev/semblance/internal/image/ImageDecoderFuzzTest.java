package dev.semblance.internal.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.semblance.InvalidImageException;

/**
 * Coverage-guided fuzzing of the image decoding path (format sniffing, ImageIO and TwelveMonkeys
 * readers, EXIF, the pixel limit): any input must give an image or an {@link
 * InvalidImageException}; any other exception, an OutOfMemoryError or a hang is a finding.
 * Regression mode (plain {@code mvn verify}) replays the seeds in {@code
 * ImageDecoderFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes (see docs/reliability.md).
 */
class ImageDecoderFuzzTest {
  private static final ImageDecoder DECODER = new ImageDecoder(4_000_000);

  @FuzzTest(maxDuration = "15s")
  void decodesOrRefusesClearly(byte[] data) {
    try {
      RgbImage image = DECODER.decode(data, "fuzz input");
      if (image.width() < 1 || image.height() < 1) {
        throw new AssertionError("decoded an empty image");
      }
    } catch (InvalidImageException expected) {
      // the defined answer to a bad image
    }
  }
}
