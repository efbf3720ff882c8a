package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.testing.Acknowledgements;
import dev.semblance.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child JVM enrols continuously into a gallery directory and is killed with SIGKILL at random
 * moments; after each kill the directory must open with every acknowledged enrolment present and
 * intact and every acknowledged removal gone. CI runs a few kills; the documented run uses {@code
 * -Dsemblance.crash.kills=60}.
 */
class CrashTest {
  private static final Logger log = LoggerFactory.getLogger(CrashTest.class);
  @TempDir Path dir;

  @Test
  void acknowledgedEnrolmentsSurviveSigkill() throws Exception {
    int kills = Integer.getInteger("semblance.crash.kills", 8);
    SplittableRandom random = new SplittableRandom(Long.getLong("semblance.crash.seed", 1));
    Acknowledgements acks = new Acknowledgements();
    Set<Long> enrolled = acks.enrolled;
    Set<Long> removed = acks.removed;
    Set<Long> inFlight = new HashSet<>();
    long next = 0;
    int lockChecked = 0;
    for (int kill = 0; kill < kills; kill++) {
      Durability durability = kill % 2 == 0 ? Durability.GROUP_COMMIT : Durability.EVERY_OPERATION;
      Process child =
          new ProcessBuilder(
                  ChildJvm.java(),
                  "-cp",
                  ChildJvm.classPath(),
                  CrashChild.class.getName(),
                  dir.toString(),
                  Long.toString(next),
                  durability.name())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      CountDownLatch started = new CountDownLatch(1);
      Thread reader = acks.read(child, started);
      assertThat(started.await(60, TimeUnit.SECONDS)).as("child started enrolling").isTrue();
      if (lockChecked++ == 0) {
        assertThatThrownBy(() -> DurableGalleryTest.open(dir))
            .isInstanceOf(GalleryLockedException.class);
      }
      Thread.sleep(20 + random.nextInt(400));
      // SIGKILL through the process handle: Process.destroyForcibly would also close our end of
      // the pipe and throw away acknowledgements not read yet.
      child.toHandle().destroyForcibly();
      child.waitFor();
      reader.join();

      try (Gallery gallery = DurableGalleryTest.open(dir)) {
        long highest = enrolled.stream().mapToLong(Long::longValue).max().orElse(-1);
        for (long i : enrolled) {
          String name = "p" + i;
          boolean inFlightRemoval =
              highest % 10 == 0 && i == highest - 5 && !gallery.contains(name);
          if (removed.contains(i) || inFlightRemoval) {
            // A removal in flight at the kill may have reached the disk without its
            // acknowledgement.
            assertThat(gallery.contains(name))
                .as("acknowledged removal of %s after kill %s", name, kill)
                .isFalse();
            removed.add(i);
          } else {
            assertThat(gallery.contains(name))
                .as("acknowledged %s after kill %s", name, kill)
                .isTrue();
            assertThat(gallery.similarityTo(name, DurableGalleryTest.unit(i)))
                .as("template of %s", name)
                .isGreaterThan(0.9999f);
          }
        }
        for (String name : gallery.identities()) {
          long i = Long.parseLong(name.substring(1));
          // Besides acknowledged ones, only enrolments in flight at a kill (durable, never
          // acknowledged).
          long inFlightNow =
              Math.max(highest + 1, next); // the child may die before its first acknowledgement
          assertThat(enrolled.contains(i) || i == inFlightNow || inFlight.contains(i))
              .as(
                  "unexpected %s after kill %s (highest acknowledged %s, child started at %s, earlier in flight %s)",
                  name, kill, highest, next, inFlight)
              .isTrue();
          if (!enrolled.contains(i)) {
            inFlight.add(i);
          }
        }
        next = Math.max(highest + 2, next + 1);
      }
    }
    String summary =
        String.format(
            Locale.ROOT,
            "%d SIGKILLs, %d acknowledged enrolments and %d "
                + "removals, none lost; %d enrolments in flight at a kill were found durable",
            kills,
            enrolled.size(),
            removed.size(),
            inFlight.size());
    log.info(summary);
    Files.writeString(Path.of("target", "crash-test.txt"), summary + "\n");
  }
}
