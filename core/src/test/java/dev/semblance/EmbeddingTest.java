package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class EmbeddingTest {

  @Test
  void isNormalisedToUnitLength() {
    Embedding e = Embedding.of(new float[] {3, 4});
    assertThat(e.toArray()).containsExactly(0.6f, 0.8f);
    assertThat(e.dimension()).isEqualTo(2);
  }

  @Test
  void similarityAndDistanceAgree() {
    Embedding a = Embedding.of(new float[] {1, 0, 0});
    Embedding b = Embedding.of(new float[] {1, 1, 0});
    assertThat(a.similarity(b)).isCloseTo((float) Math.sqrt(0.5), offset(1e-6f));
    assertThat(a.distance(b)).isCloseTo((float) Math.sqrt(2 - 2 * Math.sqrt(0.5)), offset(1e-6f));
    assertThat(a.similarity(a)).isEqualTo(1f);
    assertThat(a.distance(a)).isZero();
    assertThat(a.distance(Embedding.of(new float[] {-1, 0, 0}))).isEqualTo(2f);
  }

  @Test
  void theCallerCannotChangeTheVector() {
    float[] values = {1, 2};
    Embedding e = Embedding.of(values);
    values[0] = 100;
    e.toArray()[1] = 100;
    assertThat(e).isEqualTo(Embedding.of(new float[] {1, 2}));
  }

  @Test
  void rejectsNanInfinityZerosAndEmpty() {
    assertThatThrownBy(() -> Embedding.of(new float[] {1, Float.NaN}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("component 1 is not finite: NaN");
    assertThatThrownBy(() -> Embedding.of(new float[] {Float.POSITIVE_INFINITY}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not finite");
    assertThatThrownBy(() -> Embedding.of(new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("all zeros");
    assertThatThrownBy(() -> Embedding.of(new float[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one dimension");
  }

  @Test
  void comparingDifferentDimensionsIsAnError() {
    assertThatThrownBy(
            () -> Embedding.of(new float[] {1, 0}).similarity(Embedding.of(new float[] {1, 0, 0})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("embedding dimensions differ: 2 != 3");
  }
}
