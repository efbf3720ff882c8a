package dev.semblance.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.InvalidImageException;
import dev.semblance.NoFaceException;
import dev.semblance.testing.Jpegs;
import dev.semblance.testing.TestData;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile and unusual images through the whole encoder, each with a defined outcome: faces, no
 * faces, or an {@link InvalidImageException} that names the problem. None may crash the JVM, run
 * out of memory or hang.
 */
class BadInputCorpusTest {
  private static final Logger log = LoggerFactory.getLogger(BadInputCorpusTest.class);
  private static Encoder encoder;
  private static BufferedImage portrait;
  @TempDir Path dir;

  @BeforeAll
  static void open() throws IOException {
    Path lfw = TestData.dir("lfw-dev/images");
    portrait = ImageIO.read(lfw.resolve("Aaron_Peirsol/Aaron_Peirsol_0001.jpg").toFile());
    encoder = Encoder.builder().build();
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  @Test
  void brokenFilesAreNamedAsSuch() throws IOException {
    byte[] jpeg = Jpegs.encode(portrait, "jpg");
    refused(new byte[0], "empty");
    refused(Arrays.copyOf(jpeg, jpeg.length / 2), "truncated");
    byte[] noise = new byte[5000];
    new SplittableRandom(3).nextBytes(noise);
    refused(noise, "not a supported image");
    // A PNG header declaring 100,000 x 100,000 pixels: refused from the header, nothing allocated.
    refused(pngHeader(100_000, 100_000), "100000x100000");
  }

  @Test
  void aWrongExtensionDoesNotMatter() throws IOException {
    Path png = dir.resolve("really-a-png.jpg");
    Files.write(png, Jpegs.encode(portrait, "png"));
    Path jpg = dir.resolve("really-a-jpeg.png");
    Files.write(jpg, Jpegs.encode(portrait, "jpg"));
    assertThat(encoder.encode(png)).hasSize(1);
    assertThat(encoder.encode(jpg)).hasSize(1);
  }

  @Test
  void tinyAndFacelessImagesGiveNoFaces() throws IOException {
    assertThat(
            encoder.encode(
                Jpegs.encode(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png")))
        .isEmpty();
    BufferedImage gradient = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 480; y++) {
      for (int x = 0; x < 640; x++) {
        gradient.setRGB(x, y, (x * 255 / 640) << 16 | (y * 255 / 480) << 8 | 128);
      }
    }
    byte[] bytes = Jpegs.encode(gradient, "jpg");
    assertThat(encoder.encode(bytes)).isEmpty();
    Path file = dir.resolve("gradient.jpg");
    Files.write(file, bytes);
    assertThatThrownBy(() -> encoder.encodeMainFace(file)).isInstanceOf(NoFaceException.class);
  }

  @Test
  void unusualEncodingsStillYieldTheFace() throws IOException {
    // 16 bits per channel RGB PNG.
    ComponentColorModel model =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_USHORT);
    WritableRaster raster =
        model.createCompatibleWritableRaster(portrait.getWidth(), portrait.getHeight());
    for (int y = 0; y < portrait.getHeight(); y++) {
      for (int x = 0; x < portrait.getWidth(); x++) {
        int rgb = portrait.getRGB(x, y);
        raster.setPixel(
            x, y, new int[] {(rgb >> 16 & 255) * 257, (rgb >> 8 & 255) * 257, (rgb & 255) * 257});
      }
    }
    BufferedImage sixteen = new BufferedImage(model, raster, false, null);
    assertThat(encoder.encode(Jpegs.encode(sixteen, "png"))).hasSize(1);

    // EXIF orientation 6: stored on its side, shown upright.
    byte[] sideways =
        Jpegs.withOrientation(Jpegs.encode(Jpegs.rotatedCounterClockwise(portrait), "jpg"), 6);
    assertThat(encoder.encode(sideways)).hasSize(1);

    // An animated GIF: the first frame is the photo.
    assertThat(
            encoder.encode(
                animatedGif(portrait, new BufferedImage(250, 250, BufferedImage.TYPE_INT_RGB))))
        .hasSize(1);
  }

  @Test
  void aCmykJpegIsReadOrRefusedClearly() throws IOException {
    byte[] cmyk = cmykJpeg(portrait);
    try {
      List<Face> faces = encoder.encode(cmyk);
      log.info("CMYK JPEG without a profile: decoded, {} face(s)", faces.size());
      assertThat(faces).hasSizeLessThanOrEqualTo(1);
    } catch (InvalidImageException e) {
      log.info("CMYK JPEG without a profile: refused ({})", e.getMessage());
      assertThat(e).hasMessageContaining("image");
    }
  }

  @Test
  void thirtyFacesInOnePictureAreAllFound() throws IOException {
    Path lfw = TestData.dir("lfw-dev/images");
    List<Path> people;
    try (var dirs = Files.list(lfw)) {
      people = dirs.sorted().limit(30).toList();
    }
    BufferedImage mosaic = new BufferedImage(6 * 250, 5 * 250, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = mosaic.createGraphics();
    for (int i = 0; i < 30; i++) {
      Path first;
      try (var files = Files.list(people.get(i))) {
        first = files.sorted().findFirst().orElseThrow();
      }
      g.drawImage(ImageIO.read(first.toFile()), (i % 6) * 250, (i / 6) * 250, null);
    }
    g.dispose();
    List<Face> faces = encoder.encode(Jpegs.encode(mosaic, "jpg"));
    // One face per tile (some LFW images show a second person at their edge: count tiles).
    boolean[] tiles = new boolean[30];
    for (Face face : faces) {
      int tx = (int) ((face.box().left() + face.box().right()) / 2 / 250);
      int ty = (int) ((face.box().top() + face.box().bottom()) / 2 / 250);
      tiles[ty * 6 + tx] = true;
    }
    int found = 0;
    for (boolean tile : tiles) {
      found += tile ? 1 : 0;
    }
    log.info("mosaic of 30 LFW photos: {} faces, in {} of the 30 tiles", faces.size(), found);
    assertThat(found).as("tiles with a face, of 30").isGreaterThanOrEqualTo(29);
  }

  private static void refused(byte[] bytes, String why) {
    assertThatThrownBy(() -> encoder.encode(bytes))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining(why);
  }

  /** A PNG signature and IHDR chunk only, declaring the given size. */
  private static byte[] pngHeader(int width, int height) {
    ByteBuffer png = ByteBuffer.allocate(8 + 25);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer chunk = ByteBuffer.allocate(17);
    chunk
        .put(new byte[] {'I', 'H', 'D', 'R'})
        .putInt(width)
        .putInt(height)
        .put((byte) 8)
        .put((byte) 2)
        .put((byte) 0)
        .put((byte) 0)
        .put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(chunk.array());
    png.putInt(13).put(chunk.array()).putInt((int) crc.getValue());
    return png.array();
  }

  private static byte[] animatedGif(BufferedImage first, BufferedImage second) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (BufferedImage frame : new BufferedImage[] {first, second}) {
        BufferedImage indexed =
            new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
        indexed.getGraphics().drawImage(frame, 0, 0, null);
        IIOMetadata metadata =
            writer.getDefaultImageMetadata(
                ImageTypeSpecifier.createFromRenderedImage(indexed), null);
        writer.writeToSequence(new IIOImage(indexed, null, metadata), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** A four-channel JPEG written from a CMYK raster (no colour profile, as many printers write). */
  private static byte[] cmykJpeg(BufferedImage rgb) throws IOException {
    WritableRaster cmyk =
        Raster.createInterleavedRaster(
            DataBuffer.TYPE_BYTE, rgb.getWidth(), rgb.getHeight(), 4, null);
    for (int y = 0; y < rgb.getHeight(); y++) {
      for (int x = 0; x < rgb.getWidth(); x++) {
        int p = rgb.getRGB(x, y);
        int r = p >> 16 & 255, gr = p >> 8 & 255, b = p & 255;
        int k = 255 - Math.max(r, Math.max(gr, b));
        cmyk.setPixel(x, y, new int[] {255 - r - k, 255 - gr - k, 255 - b - k, k});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(cmyk, null, null), null);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
