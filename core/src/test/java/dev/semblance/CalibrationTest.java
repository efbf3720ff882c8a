package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.semblance.evaluation.Scores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTest {
  private static Scores normalScores(int genuine, int impostor, long seed) {
    Random random = new Random(seed);
    float[] g = new float[genuine];
    float[] im = new float[impostor];
    for (int i = 0; i < genuine; i++) {
      g[i] = (float) (0.65 + 0.12 * random.nextGaussian());
    }
    for (int i = 0; i < impostor; i++) {
      im[i] = (float) (0.0 + 0.1 * random.nextGaussian());
    }
    return Scores.of(g, im);
  }

  @Test
  void thresholdsForATargetFarHoldOnFreshDataFromTheSameDistribution() {
    Calibration cal = Calibration.fromScores("e", "synthetic", normalScores(2000, 200_000, 1));
    Scores fresh = normalScores(2000, 200_000, 2);
    for (double far : new double[] {1e-1, 1e-2, 1e-3, 1e-4}) {
      double t = cal.thresholdForFar(far);
      assertThat(fresh.far(t)).as("FAR %s", far).isBetween(far / 2, far * 2);
    }
    assertThat(cal.minimumFar())
        .isCloseTo(5e-9, offset(1e-9)); // 1 / 200,000, modelled three decades down
    assertThat(cal.farAt(cal.thresholdForFar(1e-2))).isCloseTo(1e-2, offset(2e-3));
  }

  @Test
  void thresholdsTightenAsTheGalleryGrows() {
    Calibration cal = Calibration.fromScores("e", "synthetic", normalScores(100, 1_000_000, 3));
    double small = cal.thresholdForFpir(0.01, 10);
    double large = cal.thresholdForFpir(0.01, 1000);
    assertThat(large).isGreaterThan(small);
    // FPIR 1% over 1000 comparisons needs an FMR of about 1e-5.
    assertThat(Calibration.fmrForFpir(0.01, 1000)).isCloseTo(1.005e-5, offset(1e-8));
    assertThat(cal.thresholdForFpir(0.01, 1000))
        .isCloseTo(cal.thresholdForFar(1.005e-5), offset(1e-5));
  }

  @Test
  void targetsBeyondTheMeasurementAreRefused() {
    Calibration cal = Calibration.fromScores("e", "synthetic", normalScores(10, 1000, 4));
    assertThatThrownBy(() -> cal.thresholdForFar(1e-4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1000 impostor comparisons")
        .hasMessageContaining("vouches for (0.001");
    assertThatThrownBy(() -> cal.thresholdForFpir(0.01, 100)).hasMessageContaining("below what");
  }

  @Test
  void aTailModelReadsRatesBelowWhatWasCountedWithAnInterval(@TempDir Path dir) throws IOException {
    Calibration cal = Calibration.fromScores("e", "synthetic", normalScores(1000, 1_000_000, 7));
    assertThat(cal.modelsTail()).isTrue();
    assertThat(cal.minimumFar()).isCloseTo(1e-9, offset(1e-10));
    // Impostors ~ N(0, 0.1): FAR 1e-6 at 0.4753, 1e-8 at 0.5612. Counting a million scores reads
    // 1e-6 off one of them; the model reads both off the tail's shape.
    assertThat(cal.thresholdForFar(1e-6)).isCloseTo(0.4753, offset(0.02));
    assertThat(cal.thresholdForFar(1e-8)).isCloseTo(0.5612, offset(0.04));
    assertThat(cal.thresholdForFar(1e-8)).isGreaterThan(cal.thresholdForFar(1e-7));
    Interval far = cal.farInterval(cal.thresholdForFar(1e-8));
    assertThat(far.estimate()).isCloseTo(1e-8, offset(1e-9));
    assertThat(far.low()).isLessThan(1e-8);
    assertThat(far.high()).isGreaterThan(1e-8);
    // Where a hundred or more impostors were counted, the count answers, as before.
    assertThat(cal.farAt(cal.thresholdForFar(1e-3))).isCloseTo(1e-3, offset(1e-4));

    Path file = dir.resolve("tail.calibration");
    cal.save(file);
    Calibration loaded = Calibration.load(file);
    assertThat(loaded.modelsTail()).isTrue();
    assertThat(loaded.thresholdForFar(1e-8)).isCloseTo(cal.thresholdForFar(1e-8), offset(1e-7));
    assertThat(loaded.farInterval(0.55)).isEqualTo(cal.farInterval(0.55));
    // A calibration of format 1 (no tail model) still reads, and refuses what it cannot count.
    String text = Files.readString(file);
    Files.writeString(
        file, text.substring(0, text.indexOf("tail ")).replace("format 2", "format 1"));
    Calibration old = Calibration.load(file);
    assertThat(old.modelsTail()).isFalse();
    assertThat(old.thresholdForFar(1e-3)).isCloseTo(cal.thresholdForFar(1e-3), offset(1e-8));
    assertThatThrownBy(() -> old.thresholdForFar(1e-8)).hasMessageContaining("vouches for");
  }

  @Test
  void savesAndLoadsAndRefusesDamagedFiles(@TempDir Path dir) throws IOException {
    Calibration cal =
        Calibration.fromScores("model@sha256:12", "synthetic test", normalScores(500, 50_000, 5));
    Path file = dir.resolve("cal.txt");
    cal.save(file);
    Calibration loaded = Calibration.load(file);
    assertThat(loaded.embedderId()).isEqualTo("model@sha256:12");
    assertThat(loaded.impostorCount()).isEqualTo(50_000);
    assertThat(loaded.genuineCount()).isEqualTo(500);
    assertThat(loaded.thresholdForFar(1e-3)).isCloseTo(cal.thresholdForFar(1e-3), offset(1e-8));
    loaded.save(file);
    assertThat(Calibration.load(file)).isEqualTo(loaded);

    String text = Files.readString(file);
    Files.writeString(file, text.replace("format 2", "format 7"));
    assertThatThrownBy(() -> Calibration.load(file))
        .isInstanceOf(SemblanceException.class)
        .hasMessageContaining("format 7");
    Files.writeString(file, text.substring(0, text.length() / 2));
    assertThatThrownBy(() -> Calibration.load(file))
        .isInstanceOf(SemblanceException.class)
        .hasMessageContaining("corrupt calibration file");
    Files.writeString(file, "hello");
    assertThatThrownBy(() -> Calibration.load(file))
        .hasMessageContaining("not a Semblance calibration");
  }

  @Test
  void verifierAndGalleryCanBeSetByErrorRate() {
    Calibration cal = Calibration.fromScores("e", "synthetic", normalScores(1000, 1_000_000, 6));
    assertThat(Verifier.forTargetFar(cal, 1e-3).threshold())
        .isEqualTo((float) cal.thresholdForFar(1e-3));

    Gallery gallery = Gallery.create("e", 2);
    gallery.setTargetFpir(cal, 0.01);
    gallery.enroll("a", Embedding.of(new float[] {1, 0}));
    float one = gallery.threshold();
    for (int i = 0; i < 99; i++) {
      gallery.enroll("p" + i, Embedding.of(new float[] {(float) Math.cos(i), (float) Math.sin(i)}));
    }
    float hundred = gallery.threshold();
    assertThat(hundred).isGreaterThan(one);
    assertThat((double) hundred).isCloseTo(cal.thresholdForFpir(0.01, 100), offset(1e-6));
    assertThat(gallery.identify(Embedding.of(new float[] {1, 0}), 1).threshold())
        .isEqualTo(hundred);
    assertThat(gallery.thresholdReport().targetHeld()).isTrue();
    assertThat(gallery.thresholdReport().basis()).isEqualTo(ThresholdReport.Basis.CALIBRATION);
    // Past what even the tail model vouches for: its strictest threshold, and the report says so.
    gallery.setTargetFpir(cal, 1e-9);
    assertThat((double) gallery.threshold()).isEqualTo((double) (float) cal.strictestThreshold());
    assertThat(gallery.thresholdReport().targetHeld()).isFalse();
    assertThat(gallery.thresholdReport().expectedFpir().estimate()).isGreaterThan(1e-9);
    gallery.setThreshold(0.5f);
    assertThat(gallery.threshold()).isEqualTo(0.5f);
    assertThatThrownBy(() -> Gallery.create("other", 2).setTargetFpir(cal, 0.01))
        .hasMessageContaining("calibration is for embedder e");
  }

  @Test
  void galleriesOfTheBundledEmbedderHoldOnePercentFpirAndKeepItThroughSaveAndLoad(
      @TempDir Path dir) {
    Calibration bundled = Calibration.bundled();
    assertThat(bundled.embedderId()).isEqualTo("faceplugin/fr_feature@sha256:87aacdfe57510db2");
    assertThat(bundled.impostorCount()).isGreaterThan(1_000_000);
    Gallery gallery = Gallery.create(bundled.embedderId(), 4);
    gallery.enroll("a", Embedding.of(new float[] {1, 0, 0, 0}));
    float oneTemplate = gallery.threshold();
    assertThat((double) oneTemplate).isCloseTo(bundled.thresholdForFar(0.01), offset(1e-6));
    Random random = new Random(9);
    for (int i = 0; i < 999; i++) {
      gallery.enroll(
          "p" + i, Embedding.of(new float[] {random.nextFloat(), random.nextFloat(), 1, 1}));
    }
    float thousand = gallery.threshold();
    assertThat(thousand).isGreaterThan(oneTemplate + 0.1f);
    Path file = dir.resolve("g.gallery");
    gallery.save(file);
    Gallery loaded = Gallery.load(file);
    assertThat(loaded.threshold()).isEqualTo(thousand);
    loaded.remove("a");
    loaded.remove("p0");
    assertThat(loaded.threshold()).isLessThan(thousand); // still follows the rate, not frozen
    // Other embedders keep the plain default threshold.
    assertThat(Gallery.create("my-model", 4).threshold()).isEqualTo(Verifier.DEFAULT_THRESHOLD);
  }
}
