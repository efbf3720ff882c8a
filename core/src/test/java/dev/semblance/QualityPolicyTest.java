package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The enrolment gate and the liveness check of {@link Verifier}, on hand-made measurements. */
class QualityPolicyTest {
  private static FaceQuality quality(float score, float yaw, float eyes, float interOcular) {
    return new FaceQuality(interOcular, 200, 0.5f, 0.2f, yaw, -5, 2, eyes, 0.99f, 4f, score);
  }

  private static Face face(float[] vector, FaceQuality q, Liveness live) {
    return new Face(
        new Box(0, 0, 100, 100),
        0.99f,
        List.of(),
        Embedding.of(vector),
        Optional.ofNullable(q),
        Optional.ofNullable(live));
  }

  private static Face face(FaceQuality q) {
    return face(new float[] {1, 0, 0}, q, null);
  }

  @Test
  void aGoodFacePassesAndEachBrokenRuleIsNamed() {
    QualityPolicy policy = QualityPolicy.DEFAULT.requiringEyesOpen();
    assertThat(policy.check(face(quality(0.9f, 10, 0.99f, 40)))).isEmpty();

    assertThat(policy.check(face(quality(0.2f, 10, 0.99f, 40))))
        .containsExactly("quality 0.2 < 0.7");
    // A score just under the minimum reads as under it, not as "0.70 < 0.70".
    assertThat(policy.check(face(quality(0.69987f, 10, 0.99f, 40))))
        .containsExactly("quality 0.69987 < 0.7");
    assertThat(policy.check(face(quality(0.9f, -60, 0.99f, 40))))
        .containsExactly("yaw -60° beyond ±45°");
    assertThat(policy.check(face(quality(0.9f, 10, 0.1f, 40))))
        .containsExactly("eyes not open (left 0.10, right 0.99)");
    assertThat(policy.check(face(quality(0.9f, 10, 0.99f, 12))))
        .containsExactly("eyes 12 px apart < 20 px");
    assertThat(policy.check(face(quality(0.1f, 80, 0.0f, 5)))).hasSize(4);
    // Eyes are not required by default.
    assertThat(QualityPolicy.DEFAULT.check(face(quality(0.9f, 10, 0.1f, 40)))).isEmpty();
  }

  @Test
  void livenessIsRequiredOnlyWhenAsked() {
    QualityPolicy live = QualityPolicy.DEFAULT.requiringLiveness();
    FaceQuality good = quality(0.9f, 0, 0.99f, 40);
    assertThat(live.check(face(new float[] {1, 0, 0}, good, new Liveness(0.9f, 0.5f)))).isEmpty();
    assertThat(live.check(face(new float[] {1, 0, 0}, good, new Liveness(0.1f, 0.5f))))
        .containsExactly("not live (liveness 0.1 < 0.5)");
    assertThatThrownBy(() -> live.check(face(good)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("liveness(true)");
  }

  @Test
  void aFaceWithoutMeasurementsCannotBeChecked() {
    assertThatThrownBy(() -> QualityPolicy.DEFAULT.check(face(null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quality(true)");
  }

  @Test
  void badPoliciesAreRefused() {
    assertThatThrownBy(() -> new QualityPolicy(1.5f, 45, false, 0, false))
        .hasMessageContaining("minimum score");
    assertThatThrownBy(() -> new QualityPolicy(0.5f, 0, false, 0, false))
        .hasMessageContaining("maximum yaw");
    assertThatThrownBy(() -> new QualityPolicy(0.5f, 45, false, Float.NaN, false))
        .hasMessageContaining("inter-ocular");
  }

  @Test
  void galleryEnrolmentRefusesTheWholeRequestWhenOneFaceFails() {
    try (Gallery gallery = Gallery.create("test-embedder", 3)) {
      Face good = face(quality(0.9f, 0, 0.99f, 40));
      Face turned = face(new float[] {0, 1, 0}, quality(0.9f, 70, 0.99f, 40), null);
      assertThatThrownBy(
              () -> gallery.enroll("alice", List.of(good, turned), QualityPolicy.DEFAULT))
          .isInstanceOfSatisfying(
              FaceRejectedException.class,
              e -> {
                assertThat(e.reasons()).containsExactly("face 2: yaw 70° beyond ±45°");
                assertThat(e.rules()).containsExactly(QualityPolicy.Rule.POSE);
                assertThat(e).hasMessageContaining("refused to enrol 'alice'");
              });
      assertThat(gallery.contains("alice")).isFalse();

      gallery.enroll("alice", List.of(good), QualityPolicy.DEFAULT);
      assertThat(gallery.templates("alice")).hasSize(1);
    }
  }

  @Test
  void galleryTelemetryHearsRefusalsByRuleAndIdentificationsAndNeverFailsACall() {
    List<Object> heard = new java.util.ArrayList<>();
    try (Gallery gallery = Gallery.create("test-embedder", 3)) {
      gallery.setTelemetry(
          new Telemetry() {
            @Override
            public void identified(int probes, long nanos) {
              heard.add(probes);
              throw new IllegalStateException("a broken meter");
            }

            @Override
            public void enrolmentRefused(java.util.Set<QualityPolicy.Rule> rules) {
              heard.add(rules);
            }
          });
      Face small = face(new float[] {0, 1, 0}, quality(0.2f, 70, 0.99f, 4), null);
      assertThatThrownBy(() -> gallery.enroll("bob", List.of(small), QualityPolicy.DEFAULT))
          .isInstanceOf(FaceRejectedException.class);
      gallery.enroll("bob", List.of(face(quality(0.9f, 0, 0.99f, 40))), QualityPolicy.DEFAULT);
      assertThat(gallery.identify(Embedding.of(new float[] {1, 0, 0}), 1).match()).isPresent();
      gallery.identifyAll(
          List.of(Embedding.of(new float[] {1, 0, 0}), Embedding.of(new float[] {0, 0, 1})), 1);
      gallery.setTelemetry(Telemetry.NONE);
      gallery.identify(Embedding.of(new float[] {1, 0, 0}), 1);
    }
    assertThat(heard)
        .containsExactly(
            java.util.EnumSet.of(
                QualityPolicy.Rule.QUALITY, QualityPolicy.Rule.POSE, QualityPolicy.Rule.SIZE),
            1,
            2);
  }

  @Test
  void aLivenessCheckingVerifierNeverMatchesAFaceThatIsNotLive() {
    FaceQuality q = quality(0.9f, 0, 0.99f, 40);
    Face reference = face(new float[] {1, 0, 0}, q, null);
    Face live = face(new float[] {1, 0.1f, 0}, q, new Liveness(0.95f, 0.5f));
    Face spoof = face(new float[] {1, 0.1f, 0}, q, new Liveness(0.05f, 0.5f));
    Verifier plain = Verifier.withDefaultThreshold();
    Verifier checking = plain.requiringLiveness();

    assertThat(plain.verify(spoof, reference).match()).isTrue();
    assertThat(plain.verify(spoof, reference).liveness()).isEmpty();
    Verification refused = checking.verify(spoof, reference);
    assertThat(refused.match()).isFalse();
    assertThat(refused.similarity()).isEqualTo(plain.verify(spoof, reference).similarity());
    assertThat(refused.liveness()).contains(new Liveness(0.05f, 0.5f));
    assertThat(checking.verify(live, reference).match()).isTrue();
    assertThatThrownBy(() -> checking.verify(reference, live))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("liveness(true)");
    assertThat(checking.toString()).contains("probe live");

    try (Gallery gallery = Gallery.create("test-embedder", 3)) {
      gallery.enroll("alice", reference.embedding());
      assertThat(checking.verify(spoof, "alice", gallery).match()).isFalse();
      assertThat(checking.verify(live, "alice", gallery).match()).isTrue();
    }
  }
}
