package dev.semblance.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Candidate;
import dev.semblance.Gallery;
import dev.semblance.GalleryLockedException;
import dev.semblance.testing.Acknowledgements;
import dev.semblance.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM enrols into a graph gallery and is killed with SIGKILL at random moments (after a
 * first run that closed cleanly and saved the graph); after each kill the directory opens with
 * every acknowledged enrolment present and found by search through the graph, and no removed
 * template ever returned. {@code -Dsemblance.crash.kills} sets the number of kills (default 4).
 */
class GraphCrashTest {
  @TempDir Path dir;

  @Test
  void acknowledgedEnrolmentsSurviveSigkillAndRemovedOnesNeverReturn() throws Exception {
    int kills = Integer.getInteger("semblance.crash.kills", 4);
    SplittableRandom random = new SplittableRandom(Long.getLong("semblance.crash.seed", 1));
    Acknowledgements acks = new Acknowledgements();
    Set<Long> enrolled = acks.enrolled;
    Set<Long> removed = acks.removed;
    // A first child closes cleanly after 300 enrolments: its graph is saved, later ones are not.
    Process first = child(0, 300);
    acks.read(first, new CountDownLatch(1)).join();
    first.waitFor();
    long next = 300;
    for (int kill = 0; kill < kills; kill++) {
      Process process = child(next, -1);
      CountDownLatch started = new CountDownLatch(1);
      Thread reader = acks.read(process, started);
      assertThat(started.await(60, TimeUnit.SECONDS)).as("child started enrolling").isTrue();
      if (kill == 0) {
        assertThatThrownBy(() -> GraphGallery.builder(dir).open())
            .isInstanceOf(GalleryLockedException.class);
      }
      Thread.sleep(100 + random.nextInt(600));
      // SIGKILL through the handle: Process.destroyForcibly would close our end of the pipe too.
      process.toHandle().destroyForcibly();
      process.waitFor();
      reader.join();

      try (Gallery gallery = GraphGallery.builder(dir).open()) {
        long highest = enrolled.stream().mapToLong(Long::longValue).max().orElse(-1);
        for (long i : enrolled) {
          String name = "p" + i;
          if (removed.contains(i) || (i == highest - 5 && highest % 10 == 0)) {
            // A removal in flight at the kill may be durable without its acknowledgement.
            if (!removed.contains(i) && gallery.contains(name)) {
              continue;
            }
            removed.add(i);
            assertThat(gallery.contains(name)).as("removed %s after kill %s", name, kill).isFalse();
            for (Candidate c : gallery.identify(GraphCrashChild.unit(i), 5).candidates()) {
              assertThat(c.identity()).as("a search after kill %s", kill).isNotEqualTo(name);
            }
          } else {
            assertThat(gallery.contains(name)).as("%s after kill %s", name, kill).isTrue();
            Candidate best = gallery.identify(GraphCrashChild.unit(i), 1).candidates().get(0);
            assertThat(best.identity())
                .as("the search for %s after kill %s", name, kill)
                .isEqualTo(name);
            assertThat(best.similarity()).isGreaterThan(0.9999f);
          }
        }
        next = Math.max(highest + 2, next + 1);
      }
    }
    assertThat(enrolled.size()).isGreaterThan(300 + kills);
  }

  private Process child(long start, long stop) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                ChildJvm.java(),
                "-cp",
                ChildJvm.classPath(),
                GraphCrashChild.class.getName(),
                dir.toString(),
                Long.toString(start))
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    if (stop >= 0) {
      builder.command().add(Long.toString(stop));
    }
    return builder.start();
  }
}
