package dev.semblance.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.InvalidImageException;
import dev.semblance.testing.Jpegs;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(50_000_000L);

  /** 64×48 image: red block top-left, blue block bottom-right, grey elsewhere. */
  private static BufferedImage marked() {
    BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.GRAY);
    g.fillRect(0, 0, 64, 48);
    g.setColor(Color.RED);
    g.fillRect(0, 0, 16, 16);
    g.setColor(Color.BLUE);
    g.fillRect(48, 32, 16, 16);
    g.dispose();
    return image;
  }

  @ParameterizedTest
  @ValueSource(strings = {"png", "bmp", "gif", "jpeg"})
  void decodesEachSupportedFormat(String format) {
    RgbImage image = decoder.decode(Jpegs.encode(marked(), format), format);
    assertThat(image.width()).isEqualTo(64);
    assertThat(image.height()).isEqualTo(48);
    assertThat(image.sample(4, 4, 0)).isGreaterThan(200); // red
    assertThat(image.sample(4, 4, 2)).isLessThan(60);
    assertThat(image.sample(60, 44, 2)).isGreaterThan(200); // blue
  }

  @Test
  void greyscaleKeepsItsValuesInsteadOfBeingGammaBrightened() {
    BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(3, 3, 0, 100);
    RgbImage image = decoder.decode(Jpegs.encode(grey, "png"), "grey.png");
    assertThat(image.sample(3, 3, 0)).isEqualTo(100);
    assertThat(image.sample(3, 3, 1)).isEqualTo(100);
    assertThat(image.sample(0, 0, 2)).isZero();
  }

  @Test
  void sixteenBitGreyIsScaledToEightBits() {
    BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
    grey.getRaster().setSample(1, 1, 0, 51400); // 200.8 × 256
    RgbImage image = decoder.decode(Jpegs.encode(grey, "png"), "grey16.png");
    assertThat(image.sample(1, 1, 0)).isEqualTo(200);
  }

  @Test
  void exifOrientationSixIsTurnedUpright() {
    // Store the marked image rotated counter-clockwise and say "rotate 90° clockwise to view".
    byte[] stored = Jpegs.encode(Jpegs.rotatedCounterClockwise(marked()), "jpeg");
    RgbImage upright = decoder.decode(Jpegs.withOrientation(stored, 6), "rotated.jpg");
    assertThat(upright.width()).isEqualTo(64);
    assertThat(upright.height()).isEqualTo(48);
    assertThat(upright.sample(4, 4, 0)).isGreaterThan(200);
    assertThat(upright.sample(60, 44, 2)).isGreaterThan(200);
    // Without the tag the same bytes decode sideways.
    RgbImage sideways = decoder.decode(stored, "sideways.jpg");
    assertThat(sideways.width()).isEqualTo(48);
  }

  @Test
  void everyOrientationMapsThePixelsLikeTheExifSpecification() {
    RgbImage base = RgbImage.from(marked());
    // Orientation 3 is a half turn: the red corner goes to the bottom right.
    RgbImage turned = base.orient(3);
    assertThat(turned.sample(60, 44, 0)).isGreaterThan(200);
    // 2 mirrors horizontally, 4 vertically, 5 transposes; 7 and 8 complete the set.
    assertThat(base.orient(2).sample(60, 4, 0)).isGreaterThan(200);
    assertThat(base.orient(4).sample(4, 44, 0)).isGreaterThan(200);
    assertThat(base.orient(5).sample(4, 4, 0)).isGreaterThan(200);
    assertThat(base.orient(7).sample(44, 60, 0)).isGreaterThan(200);
    assertThat(base.orient(8).sample(4, 60, 0)).isGreaterThan(200);
    assertThat(base.orient(6).sample(44, 4, 0)).isGreaterThan(200);
    assertThat(base.orient(1)).isSameAs(base);
  }

  @Test
  void emptyInputIsRefused() {
    assertThatThrownBy(() -> decoder.decode(new byte[0], "empty.jpg"))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("empty")
        .hasMessageContaining("empty.jpg");
  }

  @Test
  void randomBytesAreNotAnImage() {
    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    assertThatThrownBy(() -> decoder.decode(noise, "noise.bin"))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("not a supported image");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jpeg", "png"})
  void truncatedFilesAreRefused(String format) {
    BufferedImage photo = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(5);
    for (int y = 0; y < 150; y++) {
      for (int x = 0; x < 200; x++) {
        photo.setRGB(x, y, random.nextInt());
      }
    }
    byte[] full = Jpegs.encode(photo, format);
    byte[] cut = Arrays.copyOf(full, full.length / 2);
    assertThatThrownBy(() -> decoder.decode(cut, "cut." + format))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageMatching("(?s).*(truncated|corrupt).*");
  }

  @Test
  void aHeaderClaimingTenGigapixelsIsRefusedBeforeDecoding() {
    byte[] png = pngHeaderOnly(100_000, 100_000);
    assertThatThrownBy(() -> decoder.decode(png, "huge.png"))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("100000x100000")
        .hasMessageContaining("above the limit");
  }

  @Test
  void thePixelLimitIsConfigurable() {
    byte[] png = Jpegs.encode(marked(), "png");
    assertThatThrownBy(() -> new ImageDecoder(1000).decode(png, "small.png"))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("3072 pixels");
  }

  @Test
  void onePixelImagesDecode() {
    RgbImage image =
        decoder.decode(
            Jpegs.encode(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png"), "dot.png");
    assertThat(image.width()).isEqualTo(1);
  }

  /** A PNG signature and an IHDR chunk with a valid CRC, and no image data. */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put(new byte[] {'I', 'H', 'D', 'R'})
        .putInt(width)
        .putInt(height)
        .put((byte) 8)
        .put((byte) 2)
        .put((byte) 0)
        .put((byte) 0)
        .put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }
}
