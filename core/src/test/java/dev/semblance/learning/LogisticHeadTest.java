package dev.semblance.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.semblance.Embedding;
import dev.semblance.LogisticHead;
import dev.semblance.Verification;
import dev.semblance.Verifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogisticHeadTest {

  @Test
  void probabilityIsTheSigmoidOfTheWeightedFeatures() {
    LogisticHead head =
        LogisticHead.of("e", LogisticHead.Features.ABSOLUTE_DIFFERENCE, new float[] {-2, -4}, 1.5f);
    Embedding a = Embedding.of(new float[] {1, 0});
    Embedding b = Embedding.of(new float[] {0.6f, 0.8f});
    double z = 1.5 - 2 * 0.4 - 4 * 0.8;
    assertThat(head.probability(a, b)).isCloseTo(1 / (1 + Math.exp(-z)), offset(1e-6));
    LogisticHead chi =
        LogisticHead.of("e", LogisticHead.Features.CHI_SQUARE, new float[] {-2, -4}, 1.5f);
    double zChi = 1.5 - 2 * (0.16 / 1.6) - 4 * (0.64 / 0.8);
    assertThat(chi.probability(a, b)).isCloseTo(1 / (1 + Math.exp(-zChi)), offset(1e-5));
  }

  @Test
  void trainingSeparatesSameFromDifferentAndDrivesAVerifier(@TempDir Path dir) {
    // Same-person pairs differ a little in the first 4 components; strangers differ everywhere.
    Random random = new Random(4);
    List<Embedding[]> pairs = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      float[] a = new float[16];
      float[] b = new float[16];
      boolean same = i % 2 == 0;
      for (int k = 0; k < 16; k++) {
        a[k] = (float) random.nextGaussian();
        b[k] =
            same
                ? a[k] + (float) random.nextGaussian() * (k < 4 ? 0.8f : 0.1f)
                : (float) random.nextGaussian();
      }
      pairs.add(new Embedding[] {Embedding.of(a), Embedding.of(b)});
      labels.add(same);
    }
    boolean[] same = new boolean[labels.size()];
    for (int i = 0; i < same.length; i++) {
      same[i] = labels.get(i);
    }
    LogisticHead head =
        LogisticTrainer.train(
            "e", LogisticHead.Features.ABSOLUTE_DIFFERENCE, pairs, same, 300, 1e-2, 1e-4);
    int correct = 0;
    for (int i = 0; i < pairs.size(); i++) {
      correct += (head.probability(pairs.get(i)[0], pairs.get(i)[1]) >= 0.5) == same[i] ? 1 : 0;
    }
    assertThat(correct).isGreaterThan(390);
    assertThat(head.crossEntropy(pairs, same)).isLessThan(0.1);
    // Deterministic.
    LogisticHead again =
        LogisticTrainer.train(
            "e", LogisticHead.Features.ABSOLUTE_DIFFERENCE, pairs, same, 300, 1e-2, 1e-4);
    assertThat(again.probability(pairs.get(1)[0], pairs.get(1)[1]))
        .isEqualTo(head.probability(pairs.get(1)[0], pairs.get(1)[1]));

    Verification v = Verifier.withLogisticHead(head).verify(pairs.get(0)[0], pairs.get(0)[1]);
    assertThat(v.match()).isTrue();
    assertThat(v.probability()).isGreaterThan(0.5);
    assertThat(v.similarity()).isEqualTo(pairs.get(0)[0].similarity(pairs.get(0)[1]));

    Path file = dir.resolve("l.head");
    head.save(file);
    LogisticHead loaded = LogisticHead.load(file);
    assertThat(loaded.probability(pairs.get(3)[0], pairs.get(3)[1]))
        .isEqualTo(head.probability(pairs.get(3)[0], pairs.get(3)[1]));
    assertThat(loaded.features()).isEqualTo(LogisticHead.Features.ABSOLUTE_DIFFERENCE);
  }
}
