package dev.semblance.server.internal;

import dev.semblance.Gallery;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number of subjects, as recognitions and metrics report it, without counting per request: a
 * gallery in a store counts by reading every name, which at 100M subjects is 100,000 requests. The
 * count is kept up to date with this server's own changes and recounted in the background, not
 * sooner than {@code minAge} after the last count nor than 50 times as long as that count took, so
 * that another replica's changes show within seconds on a small gallery and counting never takes
 * more than 2% of a replica's time on a large one.
 *
 * <p>Thread-safe.
 */
final class GallerySize {
  private static final Logger log = LoggerFactory.getLogger(GallerySize.class);

  private final Gallery gallery;
  private final long minAgeNanos;
  private long nextCountAt;
  private int size = -1;
  private boolean counting;
  private boolean changedWhileCounting;

  GallerySize(Gallery gallery, Duration minAge) {
    this.gallery = gallery;
    this.minAgeNanos = minAge.toNanos();
  }

  /** The count; the first call counts, later ones start a recount in the background when due. */
  int get() {
    synchronized (this) {
      if (size >= 0) {
        if (!counting && System.nanoTime() >= nextCountAt) {
          counting = true;
          changedWhileCounting = false;
          Thread recount = new Thread(this::count, "semblance-gallery-count");
          recount.setDaemon(true);
          recount.start();
        }
        return size;
      }
    }
    count();
    synchronized (this) {
      return size;
    }
  }

  /** This server added ({@code delta} > 0) or removed subjects. */
  synchronized void changed(int delta) {
    if (size >= 0) {
      size = Math.max(0, size + delta);
      changedWhileCounting |= counting;
    }
  }

  private void count() {
    long start = System.nanoTime();
    int counted;
    try {
      counted = gallery.size();
    } catch (RuntimeException e) {
      log.warn("cannot count the gallery's subjects: {}", e.toString());
      synchronized (this) {
        counting = false;
        nextCountAt = System.nanoTime() + minAgeNanos;
        if (size < 0) {
          throw e;
        }
      }
      return;
    }
    long end = System.nanoTime();
    synchronized (this) {
      if (changedWhileCounting && size >= 0) {
        // The count may or may not hold this server's changes made meanwhile: keep the size they
        // left, which is exact for them, and count again at the next request.
        nextCountAt = end;
      } else {
        size = counted;
        nextCountAt = end + Math.max(minAgeNanos, 50 * (end - start));
      }
      counting = false;
    }
  }
}
