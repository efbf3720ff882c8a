package dev.semblance.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.semblance.Embedding;
import dev.semblance.LogisticHead;
import dev.semblance.ProjectionHead;
import dev.semblance.SemblanceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectionTrainerTest {
  @TempDir Path dir;

  /** 60 identities in 32-d whose identity lives in 8 dimensions and noise in the rest. */
  private static void synthetic(List<Embedding> embeddings, List<String> identities, long seed) {
    Random random = new Random(seed);
    for (int id = 0; id < 60; id++) {
      float[] centre = new float[8];
      for (int k = 0; k < 8; k++) {
        centre[k] = (float) random.nextGaussian();
      }
      for (int n = 0; n < 4; n++) {
        float[] v = new float[32];
        for (int k = 0; k < 32; k++) {
          v[k] = (k < 8 ? centre[k] : 0) + (float) random.nextGaussian() * (k < 8 ? 0.25f : 0.6f);
        }
        embeddings.add(Embedding.of(v));
        identities.add("id" + id);
      }
    }
  }

  @Test
  void gradientThroughNormalisationMatchesFiniteDifferences() {
    float[] z = {0.3f, -1.2f, 0.7f};
    float[] g = {0.5f, 0.1f, -0.4f};
    float[] y = ProjectionTrainer.normalised(z);
    float[] gz = ProjectionTrainer.throughNormalisation(y, z, g);
    double h = 1e-4;
    for (int i = 0; i < 3; i++) {
      float[] up = z.clone();
      float[] down = z.clone();
      up[i] += h;
      down[i] -= h;
      double numeric =
          (dot(g, ProjectionTrainer.normalised(up)) - dot(g, ProjectionTrainer.normalised(down)))
              / (2 * h);
      assertThat((double) gz[i]).isCloseTo(numeric, offset(1e-3));
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void trainingLowersTheHeldOutLossAndIsReproducible() {
    List<Embedding> embeddings = new ArrayList<>();
    List<String> identities = new ArrayList<>();
    synthetic(embeddings, identities, 1);
    ProjectionTrainer trainer =
        ProjectionTrainer.builder(8)
            .mining(Mining.BATCH_HARD)
            .batch(8, 4)
            .learningRate(5e-3)
            .epochs(30, 30)
            .seed(42)
            .build();
    ProjectionTrainer.Result result = trainer.train("test-embedder", embeddings, identities, null);
    assertThat(result.history()).isNotEmpty();
    ProjectionHead head = result.head();
    assertThat(head.inputDimension()).isEqualTo(32);
    assertThat(head.outputDimension()).isEqualTo(8);

    // Fresh identities from the same distribution: the head separates them better than a random
    // one.
    List<Embedding> fresh = new ArrayList<>();
    List<String> freshIds = new ArrayList<>();
    synthetic(fresh, freshIds, 2);
    ProjectionHead random =
        ProjectionHead.of(
            "test-embedder", 32, 8, ProjectionTrainer.orthonormalRows(8, 32, new Random(3)));
    double trained = trainer.heldOutLoss(head, fresh, freshIds);
    double untrained = trainer.heldOutLoss(random, fresh, freshIds);
    assertThat(trained).isLessThan(untrained * 0.5);

    ProjectionTrainer.Result again = trainer.train("test-embedder", embeddings, identities, null);
    assertThat(again.head().weights()).containsExactly(head.weights());
  }

  @Test
  void savesLoadsAndRefusesDamagedFiles() throws IOException {
    ProjectionHead head =
        ProjectionHead.of("emb@sha256:1", 4, 2, new float[] {1, 0, 0, 0, 0, 1, 0, 0});
    Path file = dir.resolve("p.head");
    head.save(file);
    ProjectionHead loaded = ProjectionHead.load(file);
    assertThat(loaded.weights()).containsExactly(head.weights());
    assertThat(loaded.embedderId()).isEqualTo("emb@sha256:1");
    assertThat(loaded.projectedEmbedderId()).startsWith("emb@sha256:1+projection2@sha256:");
    assertThat(loaded.project(new float[] {3, 4, 9, 9}).toArray()).containsExactly(0.6f, 0.8f);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> ProjectionHead.load(file))
        .isInstanceOf(SemblanceException.class)
        .hasMessageContaining("checksum");
    LogisticHead logistic =
        LogisticHead.of("emb", LogisticHead.Features.ABSOLUTE_DIFFERENCE, new float[] {-1, -1}, 1);
    logistic.save(file);
    assertThatThrownBy(() -> ProjectionHead.load(file))
        .hasMessageContaining("holds a logistic head");
    assertThatThrownBy(() -> head.project(new float[3])).hasMessageContaining("does not match");
  }
}
