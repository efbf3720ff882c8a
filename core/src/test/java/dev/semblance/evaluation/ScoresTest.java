package dev.semblance.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.semblance.Embedding;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoresTest {
  // Hand-computed example: genuine {0.9, 0.8, 0.6, 0.4}, impostor {0.7, 0.5, 0.3, 0.2, 0.1}.
  private final Scores small =
      Scores.of(new float[] {0.9f, 0.8f, 0.6f, 0.4f}, new float[] {0.7f, 0.5f, 0.3f, 0.2f, 0.1f});

  @Test
  void ratesAtAThresholdFollowTheDefinitions() {
    assertThat(small.far(0.5)).isEqualTo(2 / 5.0); // 0.7 and 0.5 (ties accept)
    assertThat(small.frr(0.5)).isEqualTo(1 / 4.0); // 0.4
    assertThat(small.tar(0.5)).isEqualTo(3 / 4.0);
    assertThat(small.accuracy(0.5)).isEqualTo(6 / 9.0);
    assertThat(small.far(1.0)).isZero();
    assertThat(small.tar(-1.0)).isEqualTo(1.0);
  }

  @Test
  void aucIsTheHandCountedMannWhitneyStatistic() {
    // Genuine beats impostor in 4 + 4 + 3 + 2 = 17 of the 20 pairs.
    assertThat(small.auc()).isCloseTo(17 / 20.0, offset(1e-12));
  }

  @Test
  void aucCountsTiesAsOneHalf() {
    Scores tied = Scores.of(new float[] {0.5f, 0.7f}, new float[] {0.5f, 0.1f});
    // 0.5 vs 0.5 tie (½), 0.5 > 0.1, 0.7 > 0.5, 0.7 > 0.1: 3.5 / 4.
    assertThat(tied.auc()).isCloseTo(3.5 / 4, offset(1e-12));
  }

  @Test
  void aucEqualsMannWhitneyOnRandomData() {
    Random random = new Random(4);
    float[] g = new float[300];
    float[] im = new float[500];
    for (int i = 0; i < g.length; i++) {
      g[i] = Math.round((0.4 + 0.2 * random.nextGaussian()) * 50) / 50f; // coarse: many ties
    }
    for (int i = 0; i < im.length; i++) {
      im[i] = Math.round((0.1 * random.nextGaussian()) * 50) / 50f;
    }
    double wins = 0;
    for (float a : g) {
      for (float b : im) {
        wins += a > b ? 1 : a == b ? 0.5 : 0;
      }
    }
    assertThat(Scores.of(g, im).auc()).isCloseTo(wins / (g.length * im.length), offset(1e-9));
  }

  @Test
  void eerLiesWhereFarAndFrrCross() {
    Random random = new Random(8);
    float[] g = new float[2000];
    float[] im = new float[3000];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) (0.5 + 0.15 * random.nextGaussian());
    }
    for (int i = 0; i < im.length; i++) {
      im[i] = (float) (0.2 + 0.15 * random.nextGaussian());
    }
    Scores s = Scores.of(g, im);
    OperatingPoint eer = s.eer();
    assertThat(eer.far()).isCloseTo(eer.frr(), offset(1e-12));
    // At the EER threshold the measured FAR and FRR are both within a step of the rate.
    assertThat(s.far(eer.threshold())).isCloseTo(eer.far(), offset(0.002));
    assertThat(s.frr(eer.threshold())).isCloseTo(eer.far(), offset(0.002));
    // Two unit-variance-apart normal distributions: EER = Φ(−1) ≈ 0.1587.
    assertThat(eer.far()).isCloseTo(0.1587, offset(0.015));
  }

  @Test
  void eerOfTheHandExample() {
    // Thresholds 0.6 (FAR 1/5, FRR 1/4) and 0.5 (FAR 2/5, FRR 1/4)... crossing between 0.7 and 0.6.
    OperatingPoint eer = small.eer();
    assertThat(eer.far()).isBetween(0.2, 0.25);
  }

  @Test
  void perfectSeparationHasZeroEerAndAucOne() {
    Scores perfect = Scores.of(new float[] {0.8f, 0.9f}, new float[] {0.1f, 0.2f});
    assertThat(perfect.auc()).isEqualTo(1.0);
    assertThat(perfect.eer().far()).isZero();
    assertThat(perfect.bestAccuracy().threshold()).isBetween(0.2, 0.8);
    assertThat(perfect.accuracy(perfect.bestAccuracy().threshold())).isEqualTo(1.0);
  }

  @Test
  void tarAtFarTakesTheMostLenientThresholdWithinTheTarget() {
    TarAtFar at = small.tarAtFar(0.2); // one of five impostors may pass: 0.7
    assertThat(at.far()).isEqualTo(0.2);
    assertThat(at.threshold()).isGreaterThan(0.5).isLessThanOrEqualTo(0.7);
    assertThat(at.tar()).isEqualTo(0.75); // 0.9, 0.8, 0.6
    assertThat(at.supported()).isTrue();
    assertThat(at.tarLow()).isLessThan(0.75);
    assertThat(at.tarHigh()).isGreaterThan(0.75);
    TarAtFar tooLow = small.tarAtFar(0.01); // needs 100 impostors
    assertThat(tooLow.supported()).isFalse();
    assertThat(tooLow.far()).isZero();
    assertThat(tooLow.threshold()).isGreaterThan(0.7);
  }

  @Test
  void tiedImpostorsAreNeverSplitByTheThreshold() {
    Scores ties = Scores.of(new float[] {0.9f}, new float[] {0.5f, 0.5f, 0.5f, 0.1f});
    TarAtFar at = ties.tarAtFar(0.5); // two may pass, but the three 0.5s stand or fall together
    assertThat(at.far()).isEqualTo(0.0);
    assertThat(at.threshold()).isGreaterThan(0.5);
  }

  @Test
  void rocRunsFromStrictToLenient() {
    List<RocPoint> roc = small.roc();
    assertThat(roc.get(0)).isEqualTo(new RocPoint(Double.POSITIVE_INFINITY, 0, 0));
    assertThat(roc.get(roc.size() - 1).far()).isEqualTo(1.0);
    assertThat(roc.get(roc.size() - 1).tar()).isEqualTo(1.0);
    for (int i = 1; i < roc.size(); i++) {
      assertThat(roc.get(i).far()).isGreaterThanOrEqualTo(roc.get(i - 1).far());
      assertThat(roc.get(i).tar()).isGreaterThanOrEqualTo(roc.get(i - 1).tar());
    }
  }

  @Test
  void degenerateInputs() {
    assertThatThrownBy(() -> Scores.of(new float[] {Float.NaN}, new float[] {0.1f}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("genuine score 0 is not a number");
    Scores allGenuine = Scores.of(new float[] {0.3f, 0.6f}, new float[0]);
    assertThat(allGenuine.far(0.5)).isZero();
    assertThat(allGenuine.bestAccuracy().threshold()).isLessThan(0.3);
    assertThatThrownBy(allGenuine::auc).hasMessageContaining("needs both");
    assertThatThrownBy(allGenuine::eer).hasMessageContaining("needs both");
    Scores allImpostor = Scores.of(new float[0], new float[] {0.3f, 0.6f});
    assertThat(allImpostor.bestAccuracy().threshold()).isGreaterThan(0.6);
    assertThatThrownBy(() -> allImpostor.tarAtFar(0.1)).hasMessageContaining("needs both");
    assertThatThrownBy(() -> small.tarAtFar(0)).hasMessageContaining("(0, 1)");
  }

  @Test
  void bestAccuracyPicksTheCentreOfTheWidestBestInterval() {
    // Best accuracy (100%) anywhere in (0.4, 0.6): the centre is 0.5.
    Scores s = Scores.of(new float[] {0.6f, 0.9f}, new float[] {0.1f, 0.4f});
    assertThat(s.bestAccuracy().threshold()).isCloseTo(0.5, offset(1e-6));
  }

  @Test
  void allPairsSplitsByIdentity() {
    var a1 = Embedding.of(new float[] {1, 0});
    var a2 = Embedding.of(new float[] {1, 1});
    var b1 = Embedding.of(new float[] {0, 1});
    Scores s = Scores.ofAllPairs(List.of(a1, a2, b1), List.of("a", "a", "b"));
    assertThat(s.genuine()).containsExactly(a1.similarity(a2));
    assertThat(s.impostor()).containsExactly(a1.similarity(b1), a2.similarity(b1));
  }
}
