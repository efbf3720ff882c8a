package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overall quality score: one model per embedder, shipped as a versioned resource. */
class QualityModelTest {
  private static final String BUNDLED = "faceplugin/fr_feature@sha256:87aacdfe57510db2";
  @TempDir Path dir;

  @Test
  void theBundledEmbedderHasItsFittedModelAndNoOtherEmbedderHasOne() {
    QualityModel model = QualityModel.forEmbedder(BUNDLED).orElseThrow();
    assertThat(model.intercept()).isEqualTo(-10.747728);
    assertThat(model.weights())
        .containsExactly(0, 0.448579, 0, 0, 0, 0, 0, 0, 1.167577, 0, 3.149725);
    assertThat(QualityModel.forEmbedder("my-embedder.onnx@sha256:87aacdfe57510db2")).isEmpty();
  }

  @Test
  void theScoreIsTheLogisticOfTheWeightedFeaturesWorkedByHand() {
    // Sharpness e − 1 gives log(1 + s) = 1; eyes 0.5 and 0.8 give 0.5; norm 2.
    FaceQuality q =
        new FaceQuality(50, (float) (Math.E - 1), 0.5f, 0.2f, 0, 0, 0, 0.5f, 0.8f, 2, 0);
    double[] weights = new double[QualityModel.FEATURE_NAMES.size()];
    weights[1] = 1;
    weights[8] = 2;
    weights[10] = -0.5;
    QualityModel model = QualityModel.of("e", 0.25, weights);
    // z = 0.25 + 1·1 + 2·0.5 − 0.5·2 = 1.25
    assertThat(model.score(q, 0.9f)).isCloseTo((float) (1 / (1 + Math.exp(-1.25))), within(1e-6f));
  }

  @Test
  void aSavedModelLoadsEqualAndADamagedOneIsRefused() throws IOException {
    QualityModel model = QualityModel.forEmbedder(BUNDLED).orElseThrow();
    Path file = dir.resolve("model.txt");
    model.save(file, "a copy");
    assertThat(QualityModel.load(file)).isEqualTo(model);

    List<String> lines = Files.readAllLines(file);
    Path newer = Files.write(dir.resolve("newer"), replace(lines, "format\t1", "format\t2"));
    assertThatThrownBy(() -> QualityModel.load(newer))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("format 2");
    Path reordered =
        Files.write(
            dir.resolve("reordered"),
            replace(lines, "weight\tcontrast\t0.000000", "weight\tcontrast\tx"));
    assertThatThrownBy(() -> QualityModel.load(reordered))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("malformed");
    Path other = Files.writeString(dir.resolve("other"), "# Semblance calibration\n");
    assertThatThrownBy(() -> QualityModel.load(other))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("not a Semblance quality model");
    assertThatThrownBy(() -> QualityModel.of("e", 0, new double[3]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aGateThatNeedsTheScoreRefusesAFaceWithoutOne() {
    FaceQuality unscored = new FaceQuality(60, 300, 0.5f, 0.2f, 0, 0, 0, 0.9f, 0.9f, 4, Float.NaN);
    Face face =
        new Face(
            new Box(0, 0, 100, 100),
            0.99f,
            List.of(),
            Embedding.of(new float[] {1, 0, 0}),
            Optional.of(unscored),
            Optional.empty());
    assertThat(QualityPolicy.DEFAULT.check(face))
        .containsExactly("no overall quality score: the embedder has no quality model");
    assertThat(QualityPolicy.DEFAULT.withMinScore(0).check(face)).isEmpty();
  }

  private static List<String> replace(List<String> lines, String from, String to) {
    return lines.stream().map(l -> l.equals(from) ? to : l).toList();
  }
}
