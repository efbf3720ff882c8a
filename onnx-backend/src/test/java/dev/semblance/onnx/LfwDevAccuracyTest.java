package dev.semblance.onnx;


import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.evaluation.Scores;
import dev.semblance.Encoder;
import dev.semblance.Verifier;
import dev.semblance.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LFW development view: the threshold is chosen on pairsDevTrain and applied, unchanged, to the
 * disjoint pairsDevTest. Reproduce with {@code mvn -pl onnx-backend -am test -Dtest=LfwDevAccuracyTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class LfwDevAccuracyTest {
  private static final Logger log = LoggerFactory.getLogger(LfwDevAccuracyTest.class);

  @Test
  void thresholdFromDevTrainHoldsOnDevTest() throws Exception {
    Path lfw = TestData.dir("lfw-dev");
    Path images = lfw.resolve("images");
    List<LfwPairs.Pair> train = LfwPairs.read(lfw.resolve("pairsDevTrain.txt"), images);
    List<LfwPairs.Pair> test = LfwPairs.read(lfw.resolve("pairsDevTest.txt"), images);
    assertThat(train).hasSize(2200);
    assertThat(test).hasSize(1000);

    Map<Path, Embedding> cache = LfwPairs.newCache();
    int[] noFace = {0};
    long start = System.nanoTime();
    float[] trainScores;
    float[] testScores;
    String embedderId;
    try (Encoder encoder = Encoder.builder().build()) {
      embedderId = encoder.embedderId();
      trainScores = LfwPairs.scores(encoder, train, cache, noFace);
      testScores = LfwPairs.scores(encoder, test, cache, noFace);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean[] trainSame = LfwPairs.labels(train);
    boolean[] testSame = LfwPairs.labels(test);

    Scores trainSet = Scores.of(trainScores, trainSame);
    Scores testSet = Scores.of(testScores, testSame);
    float tau = (float) trainSet.bestAccuracy().threshold();
    double trainAccuracy = trainSet.accuracy(tau);
    double testAccuracy = testSet.accuracy(tau);
    double defaultAccuracy = testSet.accuracy(Verifier.DEFAULT_THRESHOLD);
    double defaultTrainAccuracy = trainSet.accuracy(Verifier.DEFAULT_THRESHOLD);
    log.info(String.format(Locale.ROOT,
        "LFW dev: %d images in %.1f s, %d without a face; tau(DevTrain) = %.4f, DevTrain accuracy "
            + "%.2f%%, DevTest accuracy %.2f%%; at the default threshold %.2f: DevTrain %.2f%%, "
            + "DevTest %.2f%%",
        cache.size(), seconds, noFace[0], tau, 100 * trainAccuracy, 100 * testAccuracy,
        Verifier.DEFAULT_THRESHOLD, 100 * defaultTrainAccuracy, 100 * defaultAccuracy));

    for (int i = 0; i < test.size(); i++) {
      if ((testScores[i] >= tau) != testSame[i]) {
        log.info("DevTest error: {} vs {}, {} pair, similarity {}", test.get(i).first().getFileName(),
            test.get(i).second().getFileName(), testSame[i] ? "same-person" : "different-person",
            testScores[i]);
      }
    }
    assertThat(testAccuracy).isGreaterThanOrEqualTo(0.99);
    checkBundledCalibrationOnDevTest(embedderId, test, cache);
    assertThat(defaultAccuracy).isGreaterThanOrEqualTo(0.99);
    // The documented default is the DevTrain choice, rounded.
    assertThat(Verifier.DEFAULT_THRESHOLD).isCloseTo(tau, org.assertj.core.data.Offset.offset(0.03f));
  }

  /**
   * The shipped calibration was measured on DevTrain's people; on every pair of DevTest's images
   * (other people) its thresholds must give about the FAR they were set for.
   */
  private static void checkBundledCalibrationOnDevTest(
      String embedderId, List<LfwPairs.Pair> test, Map<Path, Embedding> cache) {
    Calibration calibration = Calibration.bundled();
    assertThat(calibration.embedderId()).isEqualTo(embedderId);
    List<Path> images = test.stream().flatMap(p -> java.util.stream.Stream.of(p.first(), p.second()))
        .distinct().sorted().toList();
    Scores all = Scores.ofAllPairs(images.stream().map(cache::get).toList(),
        images.stream().map(p -> p.getParent().getFileName().toString()).toList());
    for (double far : new double[] {1e-2, 1e-3, 1e-4}) {
      double observed = all.far(calibration.thresholdForFar(far));
      log.info(String.format(Locale.ROOT, "bundled calibration on DevTest (%d impostor pairs): target "
          + "FAR %.0e, observed %.2e, TAR %.2f%%", all.impostorCount(), far, observed,
          100 * all.tar(calibration.thresholdForFar(far))));
      assertThat(observed).as("FAR at the calibrated threshold for %s", far).isBetween(far / 2, far * 2);
    }
  }
}
