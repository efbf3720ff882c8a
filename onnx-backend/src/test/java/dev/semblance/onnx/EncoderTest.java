package dev.semblance.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.semblance.EmbedderModel;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.ImageFaces;
import dev.semblance.InvalidImageException;
import dev.semblance.ModelException;
import dev.semblance.NoFaceException;
import dev.semblance.ProjectionHead;
import dev.semblance.QualityPolicy;
import dev.semblance.learning.ProjectionTrainer;
import dev.semblance.testing.Jpegs;
import dev.semblance.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderTest {
  private static Encoder encoder;

  @BeforeAll
  static void open() {
    encoder = Encoder.builder().build();
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  /** A float division whose result is a denormal number, or 0 where denormals are flushed. */
  private static volatile float smallestNormal = Float.MIN_NORMAL;

  @Test
  void modelsRunWithDenormalsFlushedAndTheCallersArithmeticKeepsThem() {
    assertThat(encoder.encode(groupPhoto(4))).isNotEmpty();
    assertThat(InferenceThread.flushesDenormals()).as("the inference thread flushes").isTrue();
    // The thread that built the encoder and the one that encodes do Java's own arithmetic, which
    // must stay IEEE 754's: ONNX Runtime would have set its flags on them for good.
    assertThat(smallestNormal / 2).as("the caller keeps denormals").isGreaterThan(0f);
  }

  private static Path groupPhoto(int n) {
    return TestData.dir("tv-characters/group-photos").resolve("bbt" + n + ".jpg");
  }

  @Test
  void framesInMemoryGiveTheFacesOfTheirFileAndDetectionsCanBeEncodedLater() throws Exception {
    Path photo = groupPhoto(3);
    java.awt.image.BufferedImage image = encoder.readImage(photo);
    byte[] rgb = new byte[3 * image.getWidth() * image.getHeight()];
    for (int y = 0, i = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        rgb[i++] = (byte) (p >> 16);
        rgb[i++] = (byte) (p >> 8);
        rgb[i++] = (byte) p;
      }
    }
    dev.semblance.RgbFrame frame =
        dev.semblance.RgbFrame.of(image.getWidth(), image.getHeight(), rgb);
    List<Face> fromFile = encoder.encode(photo);
    List<Face> fromFrame = encoder.encode(frame);
    assertThat(fromFrame).hasSameSizeAs(fromFile);
    List<dev.semblance.Detection> detections = encoder.detect(frame);
    assertThat(detections).hasSameSizeAs(fromFile);
    // Encoding the detections one at a time, later, gives the same faces.
    for (int i = 0; i < detections.size(); i++) {
      Face later = encoder.encode(frame, List.of(detections.get(i))).get(0);
      assertThat(later.box()).isEqualTo(fromFrame.get(i).box());
      assertThat(later.embedding().similarity(fromFrame.get(i).embedding())).isGreaterThan(0.999f);
      assertThat(later.embedding().similarity(fromFile.get(i).embedding())).isGreaterThan(0.999f);
    }
    assertThatThrownBy(() -> dev.semblance.RgbFrame.of(10, 10, new byte[299]))
        .hasMessageContaining("needs 300 bytes");
  }

  @Test
  void telemetryHearsEveryEncodedImageWithItsFacesAndNeverFailsACall() {
    List<int[]> heard = java.util.Collections.synchronizedList(new ArrayList<>());
    dev.semblance.Telemetry recording =
        new dev.semblance.Telemetry() {
          @Override
          public void imageEncoded(int faces, long nanos) {
            heard.add(new int[] {faces, nanos > 0 ? 1 : 0});
            throw new IllegalStateException("a broken meter");
          }
        };
    try (Encoder counted = Encoder.builder().telemetry(recording).build()) {
      List<Face> one = counted.encode(groupPhoto(4));
      List<List<Face>> batch = counted.encodeAll(List.of(groupPhoto(1), groupPhoto(2)));
      counted.encodeMainFace(groupPhoto(3));
      assertThat(heard)
          .extracting(h -> h[0])
          .containsExactly(
              one.size(),
              batch.get(0).size(),
              batch.get(1).size(),
              counted.encode(groupPhoto(3)).size());
      assertThat(heard).extracting(h -> h[1]).containsOnly(1);
      assertThat(one).hasSizeGreaterThan(1);
    }
  }

  @Test
  void facesCarryUnitEmbeddingsAndLandmarksInsideTheirBoxes() {
    List<Face> faces = encoder.encode(groupPhoto(4));
    assertThat(encoder.dimension()).isEqualTo(512);
    assertThat(encoder.embedderId()).isEqualTo("faceplugin/fr_feature@sha256:87aacdfe57510db2");
    for (Face f : faces) {
      float[] v = f.embedding().toArray();
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertThat(norm).isCloseTo(1.0, offset(1e-5));
      assertThat(f.score()).isBetween(0.65f, 1f);
      assertThat(f.landmarks())
          .hasSize(5)
          .allSatisfy(
              p -> {
                assertThat(p.x()).isBetween(f.box().left(), f.box().right());
                assertThat(p.y()).isBetween(f.box().top(), f.box().bottom());
              });
      // Eyes above the mouth, left eye left of the right eye.
      assertThat(f.landmarks().get(0).x()).isLessThan(f.landmarks().get(1).x());
      assertThat(f.landmarks().get(0).y()).isLessThan(f.landmarks().get(3).y());
    }
    // Different people in one photo are far apart.
    assertThat(faces.get(0).embedding().similarity(faces.get(1).embedding())).isLessThan(0.3f);
  }

  @Test
  void batchedEncodingEqualsOneByOne() {
    List<Path> photos = List.of(groupPhoto(1), groupPhoto(3), groupPhoto(4));
    List<List<Face>> batched = encoder.encodeAll(photos);
    assertThat(batched).hasSize(3);
    for (int i = 0; i < photos.size(); i++) {
      List<Face> single = encoder.encode(photos.get(i));
      assertThat(batched.get(i)).hasSameSizeAs(single);
      for (int f = 0; f < single.size(); f++) {
        assertThat(batched.get(i).get(f).box()).isEqualTo(single.get(f).box());
        assertThat(batched.get(i).get(f).embedding().similarity(single.get(f).embedding()))
            .isGreaterThan(0.99999f);
      }
    }
  }

  @Test
  void encodeEachIsolatesImagesThatCannotBeRead() throws IOException {
    List<Path> photos = List.of(groupPhoto(1), groupPhoto(3));
    List<List<Face>> batched = encoder.encodeAll(photos);
    List<ImageFaces> each =
        encoder.encodeEach(
            List.of(
                Files.readAllBytes(photos.get(0)),
                "not an image".getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(photos.get(1))),
            List.of("one", "broken", "three"));
    assertThat(each).extracting(ImageFaces::name).containsExactly("one", "broken", "three");
    assertThat(each.get(1).isReadable()).isFalse();
    assertThat(each.get(1).failure()).contains("broken");
    assertThat(each.get(1).faces()).isEmpty();
    for (int i : new int[] {0, 2}) {
      List<Face> expected = batched.get(i / 2);
      assertThat(each.get(i).isReadable()).isTrue();
      assertThat(each.get(i).faces()).hasSameSizeAs(expected);
      for (int f = 0; f < expected.size(); f++) {
        assertThat(each.get(i).faces().get(f).embedding().toArray())
            .containsExactly(expected.get(f).embedding().toArray());
      }
    }
    assertThat(each.get(0).width()).isPositive();
  }

  @Test
  void bytesPathsAndBufferedImagesGiveTheSameFaces() throws IOException {
    Path photo = groupPhoto(3);
    List<Face> fromPath = encoder.encode(photo);
    List<Face> fromBytes = encoder.encode(Files.readAllBytes(photo));
    List<Face> fromImage = encoder.encode(ImageIO.read(photo.toFile()));
    assertThat(fromBytes).isEqualTo(fromPath);
    assertThat(fromImage).hasSameSizeAs(fromPath);
    assertThat(fromImage.get(0).embedding().similarity(fromPath.get(0).embedding()))
        .isGreaterThan(0.999f);
  }

  @Test
  void exifRotatedPhotosAreTurnedUprightBeforeDetection(@TempDir Path dir) throws IOException {
    BufferedImage upright = ImageIO.read(groupPhoto(3).toFile());
    byte[] sideways = Jpegs.encode(Jpegs.rotatedCounterClockwise(upright), "jpeg");
    Path tagged = dir.resolve("tagged.jpg");
    Files.write(tagged, Jpegs.withOrientation(sideways, 6));
    assertThat(encoder.encode(tagged)).hasSize(5);
    assertThat(encoder.readImage(tagged).getWidth()).isEqualTo(upright.getWidth());
  }

  @Test
  void tightlyCroppedFacesAreStillFound() {
    // leonard5 fills its frame; the detector only finds it with a border added.
    Face face =
        encoder.encodeMainFace(TestData.dir("tv-characters").resolve("leonard/leonard5.png"));
    assertThat(face.box().width()).isGreaterThan(60f);
  }

  @Test
  void anImageWithoutFacesGivesNoFaces() {
    BufferedImage sky = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 240; y++) {
      for (int x = 0; x < 320; x++) {
        sky.setRGB(x, y, (90 + y / 4) << 16 | (140 + y / 4) << 8 | 230);
      }
    }
    assertThat(encoder.encode(sky)).isEmpty();
  }

  @Test
  void noFaceIsAClearErrorForTheMainFace(@TempDir Path dir) throws IOException {
    Path blank = dir.resolve("blank.png");
    Files.write(
        blank, Jpegs.encode(new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB), "png"));
    assertThatThrownBy(() -> encoder.encodeMainFace(blank))
        .isInstanceOf(NoFaceException.class)
        .hasMessageContaining("no face found in")
        .hasMessageContaining("blank.png");
  }

  @Test
  void badFilesGiveInvalidImageException(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.jpg");
    assertThatThrownBy(() -> encoder.encode(missing))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("cannot read image file");
    byte[] photo = Files.readAllBytes(groupPhoto(2));
    assertThatThrownBy(() -> encoder.encode(Arrays.copyOf(photo, photo.length / 3)))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("truncated");
    Path text = dir.resolve("notes.jpg");
    Files.writeString(text, "not an image at all");
    assertThatThrownBy(() -> encoder.encode(text))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("not a supported image");
  }

  @Test
  void thePixelLimitGuardsAgainstHugeImages(@TempDir Path dir) throws IOException {
    try (Encoder small = Encoder.builder().maxPixels(100_000).build()) {
      assertThatThrownBy(() -> small.encode(groupPhoto(1)))
          .isInstanceOf(InvalidImageException.class)
          .hasMessageContaining("1366x768");
      // A file far larger than any 0.1-megapixel image is refused before it is read.
      Path big = dir.resolve("big.bmp");
      Files.write(big, new byte[20 << 20]);
      assertThatThrownBy(() -> small.encode(big))
          .isInstanceOf(InvalidImageException.class)
          .hasMessageContaining("20971520 bytes");
    }
  }

  @Test
  void aClosedEncoderRefusesWork() {
    Encoder closed = Encoder.builder().build();
    closed.close();
    closed.close(); // idempotent
    assertThatThrownBy(() -> closed.encode(groupPhoto(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void isSafeForConcurrentUse() throws Exception {
    List<Face> expected = encoder.encode(groupPhoto(5));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Face>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> encoder.encode(groupPhoto(5))));
      }
      for (Future<List<Face>> r : results) {
        assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void loadsAUserSuppliedEmbedderFromAFileAndChecksItsDigest(@TempDir Path dir) throws IOException {
    Path model = dir.resolve("my-embedder.onnx");
    try (InputStream in = getClass().getResourceAsStream("/dev/semblance/models/fr_feature.onnx")) {
      Files.write(model, in.readAllBytes());
    }
    String sha = "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581";
    try (Encoder custom =
        Encoder.builder()
            .embedder(EmbedderModel.fromFile(model).inputSize(112, 112).sha256(sha).build())
            .build()) {
      assertThat(custom.embedderId()).isEqualTo("my-embedder.onnx@sha256:87aacdfe57510db2");
      Face a = custom.encode(groupPhoto(3)).get(0);
      Face b = encoder.encode(groupPhoto(3)).get(0);
      assertThat(a.embedding().similarity(b.embedding())).isGreaterThan(0.99999f);
    }
    // The overall quality score weighs the embedder's own output: a custom embedder has no model,
    // so no score, and a gate that needs one refuses rather than passing the face.
    try (Encoder custom =
            Encoder.builder()
                .embedder(EmbedderModel.fromFile(model).inputSize(112, 112).sha256(sha).build())
                .quality(true)
                .build();
        Encoder bundled = Encoder.builder().quality(true).build()) {
      Face unscored = custom.encode(groupPhoto(3)).get(0);
      assertThat(unscored.quality().orElseThrow().score()).isNaN();
      assertThat(unscored.quality().orElseThrow().sharpness()).isPositive();
      assertThat(QualityPolicy.DEFAULT.check(unscored))
          .contains("no overall quality score: the embedder has no quality model");
      assertThat(bundled.encode(groupPhoto(3)).get(0).quality().orElseThrow().score())
          .isBetween(0f, 1f);
    }
    assertThatThrownBy(
            () ->
                Encoder.builder()
                    .embedder(EmbedderModel.fromFile(model).sha256("0".repeat(64)).build())
                    .build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("SHA-256")
        .hasMessageContaining("my-embedder.onnx");
    assertThatThrownBy(
            () ->
                Encoder.builder()
                    .embedder(EmbedderModel.fromFile(model).inputSize(96, 96).build())
                    .build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("does not match")
        .hasMessageContaining("96x96");
    Files.write(model, new byte[] {1, 2, 3});
    assertThatThrownBy(
            () -> Encoder.builder().embedder(EmbedderModel.fromFile(model).build()).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("cannot load");
    // The graph field sent as a varint: once a NullPointerException out of the batch rewrite.
    Files.write(model, new byte[] {56, 1});
    assertThatThrownBy(
            () -> Encoder.builder().embedder(EmbedderModel.fromFile(model).build()).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("cannot load");
  }

  @Test
  void appliesAProjectionHeadTrainedForItsEmbedderAndRefusesOthers(@TempDir Path dir) {
    List<Embedding> x = new ArrayList<>();
    List<String> y = new ArrayList<>();
    for (String person : List.of("amy", "penny", "raj", "sheldon", "howard", "leonard")) {
      for (int i = 1; i <= 5; i++) {
        x.add(
            encoder
                .encodeMainFace(
                    TestData.dir("tv-characters").resolve(person + "/" + person + i + ".png"))
                .embedding());
        y.add(person);
      }
    }
    ProjectionHead head =
        ProjectionTrainer.builder(16)
            .batch(4, 4)
            .epochs(3, 3)
            .validationFraction(0.34)
            .build()
            .train(encoder.embedderId(), x, y, null)
            .head();
    Path file = dir.resolve("p.head");
    head.save(file);
    try (Encoder projected = Encoder.builder().projection(ProjectionHead.load(file)).build()) {
      assertThat(projected.dimension()).isEqualTo(16);
      assertThat(projected.embedderId()).startsWith(encoder.embedderId() + "+projection16@sha256:");
      Face face = projected.encode(groupPhoto(3)).get(0);
      assertThat(face.embedding().dimension()).isEqualTo(16);
      assertThat(face.embedding())
          .isEqualTo(head.project(encoder.encode(groupPhoto(3)).get(0).embedding()));
    }
    ProjectionHead foreign =
        ProjectionTrainer.builder(16)
            .batch(4, 4)
            .epochs(1, 1)
            .validationFraction(0.34)
            .build()
            .train("another-embedder", x, y, null)
            .head();
    assertThatThrownBy(() -> Encoder.builder().projection(foreign).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("trained for embedder another-embedder");
  }
}
