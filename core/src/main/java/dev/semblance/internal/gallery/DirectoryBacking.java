package dev.semblance.internal.gallery;

import dev.semblance.Durability;
import dev.semblance.GalleryOptions;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A gallery in memory whose every change is logged to a directory ({@link GalleryStore}) before it
 * is applied and is durable before the write returns; the log is compacted into a snapshot once it
 * has grown.
 *
 * <p>Thread safety: safe for concurrent use; changes are serialised, so the log replays them in the
 * order they were applied.
 */
public final class DirectoryBacking extends MemoryBacking {
  /** A log grows to this plus twice the templates' size before it is compacted. */
  private static final long COMPACT_AFTER_BYTES = 64L << 20;

  private final GalleryStore store;
  private final AtomicBoolean compacting = new AtomicBoolean();

  /**
   * Opens or creates the gallery in {@code directory}, replaying it; see {@link GalleryStore#open}.
   *
   * @param cipher seals every record, or null for a plain directory
   */
  public DirectoryBacking(
      Path directory,
      String embedderId,
      int dimension,
      GalleryOptions options,
      ThresholdPolicy policy,
      Durability durability,
      RecordCipher cipher) {
    super(embedderId, dimension, options, policy);
    try {
      this.store = GalleryStore.open(directory, embedderId, dimension, durability, cipher, this);
    } catch (RuntimeException e) {
      templates.close();
      throw e;
    }
  }

  @Override
  protected long log(Change change) {
    return store.append(GalleryCodec.payload(change, dimension()));
  }

  /** Waits for the log to be durable up to a write's record, then compacts if the log has grown. */
  @Override
  protected void afterWrite(long logged) {
    store.awaitDurable(logged);
    long templateBytes = templates.templateCount() * dimension() * Float.BYTES;
    if (store.logBytes() > COMPACT_AFTER_BYTES + 2 * templateBytes
        && compacting.compareAndSet(false, true)) {
      try {
        compactNow();
      } finally {
        compacting.set(false);
      }
    }
  }

  /**
   * Rewrites the directory as a snapshot of the current state and an empty log, then overwrites and
   * deletes the old files. Searches continue meanwhile; writes wait.
   */
  @Override
  protected void compactNow() {
    writes.lock();
    try {
      store.compact(this::writeSnapshot);
    } finally {
      writes.unlock();
    }
  }

  @Override
  protected void release() {
    try {
      super.release();
    } finally {
      store.close();
    }
  }
}
