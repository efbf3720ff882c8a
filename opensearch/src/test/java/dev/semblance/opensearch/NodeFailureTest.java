package dev.semblance.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.TemplateStoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node stops under writers and searchers: clear errors, and no acknowledged enrolment lost. */
class NodeFailureTest {
  @Test
  void aStoppedNodeGivesClearErrorsAndKeepsEveryAcknowledgedEnrolment(@TempDir Path home)
      throws Exception {
    Map<String, Embedding> acknowledged = new ConcurrentHashMap<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (TestCluster cluster = TestCluster.start(home)) {
      Gallery gallery =
          OpenSearchGallery.builder(cluster.client(), "staff")
              .embedder("test", 32)
              .shards(1, 0)
              .forceRefresh(true) // many writes in flight when the node stops
              .create();
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int writer = w;
        tasks.add(
            pool.submit(
                () -> {
                  Random random = new Random(writer);
                  for (int i = 0; running.get(); i++) {
                    Embedding e = random(random);
                    String name = "w" + writer + "-" + i;
                    try {
                      gallery.enroll(name, e);
                      acknowledged.put(name, e);
                    } catch (TemplateStoreException failed) {
                      errors.add(failed);
                    }
                  }
                }));
      }
      tasks.add(
          pool.submit(
              () -> {
                Random random = new Random(99);
                while (running.get()) {
                  try {
                    gallery.identify(random(random), 3);
                  } catch (TemplateStoreException failed) {
                    errors.add(failed);
                  }
                }
              }));
      Thread.sleep(2500);
      cluster.stop();
      Thread.sleep(1000);
      running.set(false);
      for (Future<?> task : tasks) {
        task.get();
      }
      assertThat(acknowledged).as("enrolments before the stop").hasSizeGreaterThan(10);
      assertThat(errors).as("failures while the node was down").isNotEmpty();
      assertThat(errors)
          .allSatisfy(e -> assertThat(e).hasMessageStartingWith("OpenSearch index 'staff': "));
      assertThatThrownBy(() -> gallery.identify(random(new Random(1)), 1))
          .isInstanceOf(TemplateStoreException.class)
          .hasMessageContaining("search failed");
      gallery.close();

      cluster.restart();
      try (Gallery reopened =
          OpenSearchGallery.builder(cluster.client(), "staff").embedder("test", 32).open()) {
        assertThat(reopened.identities()).containsAll(acknowledged.keySet());
        acknowledged.forEach(
            (name, template) -> assertThat(reopened.templates(name)).as(name).contains(template));
      }
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
  }

  private static Embedding random(Random random) {
    float[] v = new float[32];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }
}
