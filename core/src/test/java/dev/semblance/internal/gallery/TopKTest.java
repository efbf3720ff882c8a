package dev.semblance.internal.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TopKTest {
  @Test
  void keepsTheBestDistinctKeysOfAStreamWithRepeats() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 200; round++) {
      int k = 1 + random.nextInt(20), keys = 1 + random.nextInt(60);
      TopK top = new TopK(k);
      Map<Integer, Float> best = new HashMap<>();
      for (int i = 0; i < 500; i++) {
        int key = random.nextInt(keys);
        float score = (float) random.nextGaussian();
        top.offer(key, score);
        best.merge(key, score, Math::max);
      }
      int[] expected =
          best.entrySet().stream()
              .sorted(
                  Map.Entry.<Integer, Float>comparingByValue(Comparator.reverseOrder())
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(k)
              .mapToInt(Map.Entry::getKey)
              .toArray();
      assertThat(top.keysBestFirst()).isEqualTo(expected);
      for (int key : expected) {
        assertThat(top.scoreOf(key)).isEqualTo(best.get(key));
      }
    }
  }

  @Test
  void mergingPartsEqualsOneStream() {
    SplittableRandom random = new SplittableRandom(5);
    TopK whole = new TopK(7), left = new TopK(7), right = new TopK(7);
    for (int i = 0; i < 1000; i++) {
      int key = random.nextInt(100);
      float score = (float) random.nextDouble();
      whole.offer(key, score);
      (i % 3 == 0 ? left : right).offer(key, score);
    }
    left.addAll(right);
    assertThat(left.keysBestFirst()).isEqualTo(whole.keysBestFirst());
  }

  @Test
  void thresholdIsMinusInfinityUntilFull() {
    TopK top = new TopK(2);
    top.offer(1, 0.5f);
    assertThat(top.threshold()).isEqualTo(Float.NEGATIVE_INFINITY);
    top.offer(2, 0.25f);
    assertThat(top.threshold()).isEqualTo(0.25f);
    top.offer(2, 0.75f); // same key, better score: the minimum moves
    assertThat(top.threshold()).isEqualTo(0.5f);
  }
}
