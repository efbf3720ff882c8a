package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searches, enrolments and removals from several threads at once on a gallery opened from a
 * directory, for a bounded time: no exception, every answer well-formed (no template read half
 * written), and the state on disk afterwards equal to the state in memory.
 */
class GalleryStressTest {
  private static final Logger log = LoggerFactory.getLogger(GalleryStressTest.class);
  @TempDir Path dir;

  @Test
  void concurrentReadersAndWritersLeaveTheLogEqualToMemory() throws Exception {
    long millis = Long.getLong("semblance.stress.millis", 3000);
    AtomicLong searches = new AtomicLong(), writes = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (Gallery gallery =
        Gallery.directory(dir)
            .embedder("test", DurableGalleryTest.DIM_FOR_CHILD)
            .durability(Durability.GROUP_COMMIT)
            .open()) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int writer = w;
        tasks.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(writer);
                  for (long i = 0; System.nanoTime() < end; i++) {
                    String name = "w" + writer + "-" + random.nextInt(400);
                    if (random.nextInt(3) == 0) {
                      gallery.remove(name);
                    } else {
                      gallery.enroll(name, DurableGalleryTest.unit(name.hashCode()));
                    }
                    writes.incrementAndGet();
                    if (writer == 0 && i % 2000 == 1999) {
                      gallery.compact();
                    }
                  }
                  return null;
                }));
      }
      for (int r = 0; r < 3; r++) {
        int reader = r;
        tasks.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(100 + reader);
                  while (System.nanoTime() < end) {
                    String name = "w" + random.nextInt(3) + "-" + random.nextInt(400);
                    Identification id =
                        gallery.identify(DurableGalleryTest.unit(name.hashCode()), 3);
                    for (Candidate c : id.candidates()) {
                      assertThat(c.identity()).matches("w[0-2]-\\d+");
                      assertThat(c.similarity()).isBetween(-1f, 1f);
                    }
                    // A probe equal to an enrolled template finds it with similarity 1 (unless it
                    // was
                    // removed meanwhile): a torn template would not.
                    if (!id.candidates().isEmpty()
                        && id.candidates().get(0).identity().equals(name)) {
                      assertThat(id.candidates().get(0).similarity()).isGreaterThan(0.9999f);
                    }
                    searches.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> task : tasks) {
        task.get(); // rethrows any failure
      }
      var inMemory = DurableGalleryTest.state(gallery);
      gallery.close();
      try (Gallery reopened = DurableGalleryTest.open(dir)) {
        assertThat(DurableGalleryTest.state(reopened)).isEqualTo(inMemory);
      }
    } finally {
      pool.shutdownNow();
    }
    log.info(
        String.format(
            Locale.ROOT,
            "stress: %d searches and %d writes in %d ms from 6 threads",
            searches.get(),
            writes.get(),
            millis));
  }
}
