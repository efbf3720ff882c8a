package dev.semblance.server.internal;

import dev.semblance.Gallery;
import java.time.Duration;

/**
 * The number of subjects, as recognitions and metrics report it: counted at most once per interval,
 * since a gallery in a store counts by reading every name, and at once after this server's own
 * changes. Another replica's changes show within the interval.
 *
 * <p>Thread-safe.
 */
final class GallerySize {
  private final Gallery gallery;
  private final long maxAgeNanos;
  private long countedAt;
  private int size = -1;

  GallerySize(Gallery gallery, Duration maxAge) {
    this.gallery = gallery;
    this.maxAgeNanos = maxAge.toNanos();
  }

  synchronized int get() {
    long now = System.nanoTime();
    if (size < 0 || now - countedAt > maxAgeNanos) {
      size = gallery.size();
      countedAt = now;
    }
    return size;
  }

  /** This server changed the gallery: count again on the next call. */
  synchronized void changed() {
    size = -1;
  }
}
