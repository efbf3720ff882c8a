package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VerifierTest {
  private final Embedding x = Embedding.of(new float[] {1, 0});
  private final Embedding closeToX = Embedding.of(new float[] {1, 0.5f}); // cos 0.894
  private final Embedding orthogonal = Embedding.of(new float[] {0, 1});

  @Test
  void matchesAtOrAboveTheThreshold() {
    Verification v = Verifier.withThreshold(0.8f).verify(x, closeToX);
    assertThat(v.match()).isTrue();
    assertThat(v.similarity()).isGreaterThan(0.89f);
    assertThat(v.threshold()).isEqualTo(0.8f);
    assertThat(v.distance()).isEqualTo(Embedding.distanceForSimilarity(v.similarity()));
    assertThat(Verifier.withThreshold(0.9f).verify(x, closeToX).match()).isFalse();
    assertThat(Verifier.withThreshold(1f).verify(x, x).match()).isTrue();
  }

  @Test
  void defaultThresholdSeparatesOrthogonalFromIdentical() {
    Verifier verifier = Verifier.withDefaultThreshold();
    assertThat(verifier.threshold()).isEqualTo(Verifier.DEFAULT_THRESHOLD);
    assertThat(verifier.verify(x, orthogonal).match()).isFalse();
    assertThat(verifier.verify(x, x).match()).isTrue();
  }

  @Test
  void verifiesAgainstAnEnrolledIdentitysClosestTemplate() {
    Gallery gallery = Gallery.create("test-embedder", 2);
    gallery.enroll("alice", orthogonal, closeToX);
    Verification v = Verifier.withThreshold(0.8f).verify(x, "alice", gallery);
    assertThat(v.match()).isTrue();
    assertThat(v.similarity()).isEqualTo(x.similarity(closeToX));
    assertThatThrownBy(() -> Verifier.withThreshold(0.8f).verify(x, "bob", gallery))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not enrolled: 'bob'");
  }

  @Test
  void thresholdsOutsideTheCosineRangeAreRejected() {
    assertThatThrownBy(() -> Verifier.withThreshold(1.5f)).hasMessageContaining("[-1, 1]: 1.5");
    assertThatThrownBy(() -> Verifier.withThreshold(Float.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
