package dev.semblance.onnx;

import static dev.semblance.testing.Pictures.blurred;
import static dev.semblance.testing.Pictures.mirrored;
import static dev.semblance.testing.Pictures.scaled;
import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceQuality;
import dev.semblance.QualityPolicy;
import dev.semblance.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quality measurements on real photos: the pose model against the mirrored photo, sharpness and
 * size against blurred and shrunk copies, the enrolment gate on both. LFW {@code pairsDevTrain}
 * images only.
 */
class FaceQualityTest {
  private static Encoder encoder;
  private static List<Path> photos;

  @BeforeAll
  static void open() throws IOException {
    Path lfw = TestData.dir("lfw-dev");
    Set<Path> images = new LinkedHashSet<>();
    for (LfwPairs.Pair p : LfwPairs.read(lfw.resolve("pairsDevTrain.txt"), lfw.resolve("images"))) {
      images.add(p.first());
      if (images.size() == 40) {
        break;
      }
    }
    photos = new ArrayList<>(images);
    encoder = Encoder.builder().quality(true).liveness(true).build();
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  private static Face main(BufferedImage image) {
    List<Face> faces = encoder.encode(image);
    assertThat(faces).isNotEmpty();
    return faces.get(Encoder.mainFaceIndex(faces, image.getWidth(), image.getHeight()));
  }

  private static FaceQuality quality(BufferedImage image) {
    return main(image).quality().orElseThrow();
  }

  @Test
  void measurementsAreMadeOnlyWhenAsked() {
    Path group = TestData.dir("tv-characters/group-photos").resolve("bbt4.jpg");
    try (Encoder plain = Encoder.builder().build()) {
      for (Face f : plain.encode(group)) {
        assertThat(f.quality()).isEmpty();
        assertThat(f.liveness()).isEmpty();
      }
    }
    List<Face> one = encoder.encode(group);
    List<Face> batched = encoder.encodeAll(List.of(photos.get(0), group)).get(1);
    assertThat(one).hasSize(6);
    for (int i = 0; i < one.size(); i++) {
      FaceQuality q = one.get(i).quality().orElseThrow();
      assertThat(batched.get(i).quality()).contains(q); // batching changes nothing
      assertThat(batched.get(i).liveness()).isEqualTo(one.get(i).liveness());
      assertThat(q.score()).isBetween(0f, 1f);
      assertThat(q.brightness()).isBetween(0f, 1f);
      assertThat(q.interOcularDistance()).isBetween(10f, 200f);
    }
  }

  @Test
  void headPoseTurnsWithTheMirroredPhoto() {
    int agree = 0;
    double spread = 0;
    for (Path photo : photos) {
      BufferedImage image = encoder.readImage(photo);
      FaceQuality q = quality(image);
      FaceQuality m = quality(mirrored(image));
      // Mirroring negates yaw and roll and keeps pitch.
      if (Math.abs(q.yaw() + m.yaw()) < 6
          && Math.abs(q.roll() + m.roll()) < 6
          && Math.abs(q.pitch() - m.pitch()) < 6) {
        agree++;
      }
      spread += Math.abs(q.yaw()) / photos.size();
    }
    assertThat(agree)
        .as("photos whose mirror image has the mirrored pose")
        .isGreaterThanOrEqualTo(32);
    assertThat(spread).as("mean |yaw|: the pose varies").isGreaterThan(3);
  }

  @Test
  void blurLowersSharpnessAndShrinkingLowersTheEyeDistance() {
    for (Path photo : photos.subList(0, 20)) {
      BufferedImage image = encoder.readImage(photo);
      FaceQuality q = quality(image);
      assertThat(quality(blurred(image, 3)).sharpness()).isLessThan(0.5f * q.sharpness());
      FaceQuality small = quality(scaled(image, 0.5));
      assertThat(small.interOcularDistance() / q.interOcularDistance()).isBetween(0.42f, 0.58f);
    }
  }

  @Test
  void theDefaultGateKeepsGoodPhotosAndRefusesRuinedCopies() {
    int kept = 0, refusedRuined = 0, eyesOpen = 0, acceptedRuined = 0, acceptedStillMatch = 0;
    double refusedSimilarity = 0, acceptedSimilarity = 0;
    double scoreDrop = 0;
    for (Path photo : photos) {
      BufferedImage image = encoder.readImage(photo);
      Face good = main(image);
      kept += QualityPolicy.DEFAULT.check(good).isEmpty() ? 1 : 0;
      eyesOpen += good.quality().orElseThrow().eyesOpen() ? 1 : 0;
      // A thumbnail blown up again and blurred: what a bad webcam or a zoomed crop gives.
      BufferedImage ruined = blurred(scaled(scaled(image, 0.25), 4), 2);
      List<Face> faces = encoder.encode(ruined);
      if (faces.isEmpty()) {
        refusedRuined++;
        continue;
      }
      Face bad = faces.get(Encoder.mainFaceIndex(faces, ruined.getWidth(), ruined.getHeight()));
      float similarity = bad.embedding().similarity(good.embedding());
      if (QualityPolicy.DEFAULT.check(bad).isEmpty()) {
        acceptedRuined++;
        acceptedSimilarity += similarity;
        acceptedStillMatch += similarity >= 0.5 ? 1 : 0;
      } else {
        refusedRuined++;
        refusedSimilarity += similarity;
      }
      scoreDrop +=
          (good.quality().orElseThrow().score() - bad.quality().orElseThrow().score())
              / photos.size();
    }
    assertThat(kept).as("good photos kept").isGreaterThanOrEqualTo(36);
    assertThat(refusedRuined).as("ruined copies refused").isGreaterThanOrEqualTo(24);
    // The copies the gate lets through are those that recognition still handles.
    assertThat(acceptedStillMatch)
        .as("accepted copies like their original")
        .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * acceptedRuined));
    assertThat(acceptedSimilarity / Math.max(1, acceptedRuined))
        .as("mean similarity to the original, accepted vs refused copies")
        .isGreaterThan(refusedSimilarity / Math.max(1, refusedRuined) + 0.05);
    assertThat(scoreDrop).as("mean drop of the overall score").isGreaterThan(0.3);
    assertThat(eyesOpen).as("photos with both eyes open").isGreaterThanOrEqualTo(28);
  }
}
