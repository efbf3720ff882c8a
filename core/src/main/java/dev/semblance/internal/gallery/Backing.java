package dev.semblance.internal.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Candidate;
import dev.semblance.GalleryOptions;
import dev.semblance.Identification;
import dev.semblance.ThresholdReport;
import dev.semblance.io.DurableFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a gallery keeps its templates and how its changes are ordered, made durable and compacted:
 * in memory ({@link MemoryBacking}), in a logged directory ({@link DirectoryBacking}) or in a
 * {@link dev.semblance.spi.TemplateStore} ({@link StoreBacking}). The gallery checks arguments;
 * this class runs every call of an open backing, and {@link #close()} once none is in progress.
 *
 * <p>Thread safety: safe for concurrent use; subclasses order their writes.
 */
public abstract class Backing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Backing.class);

  private final String embedderId;
  private final int dimension;
  private final GalleryOptions options;
  protected final Templates templates;
  protected final ThresholdPolicy policy;

  /** Held shared by every call, exclusively by {@link #close()}. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

  private volatile boolean closed;

  /** Whether a background self-search is queued or running. */
  private final AtomicBoolean searchingSelf = new AtomicBoolean();

  protected Backing(
      String embedderId,
      int dimension,
      GalleryOptions options,
      Templates templates,
      ThresholdPolicy policy) {
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.options = options;
    this.templates = templates;
    this.policy = policy;
  }

  /** Checks what every gallery needs to know of its embedder. */
  protected static void checkEmbedder(String embedderId, int dimension) {
    Objects.requireNonNull(embedderId, "embedderId");
    checkArgument(!embedderId.isBlank(), "embedder id must not be blank");
    checkArgument(dimension > 0, "dimension must be positive: %s", dimension);
  }

  public final String embedderId() {
    return embedderId;
  }

  public final int dimension() {
    return dimension;
  }

  public final GalleryOptions options() {
    return options;
  }

  public final ThresholdPolicy policy() {
    return policy;
  }

  /** What {@code query} reads of the templates. */
  public final <T> T read(Function<Templates, T> query) {
    return whileOpen(() -> query.apply(templates));
  }

  /**
   * Applies {@code change} in order with the other changes, durably where the backing is durable,
   * once this returns; whether it changed anything.
   *
   * @throws IllegalArgumentException if a rename's source is not enrolled or its target already is
   */
  public final boolean apply(Change change) {
    return whileOpen(() -> write(change));
  }

  /** Enrols many identities at once, one {@link Change.Enroll} each, in as few writes as can be. */
  public final void enrollAll(Map<String, List<float[]>> vectors) {
    run(() -> writeAll(vectors));
  }

  /** Records the policy's current settings with the templates. */
  public final void saveSettings() {
    apply(settings());
  }

  /** Erases removed templates from where they were kept. */
  public final void compact() {
    run(this::compactNow);
  }

  /**
   * Writes every template and the settings to {@code file} in the snapshot format, atomically.
   *
   * @throws UncheckedIOException if the file cannot be written; the old file is then unchanged
   */
  public final void save(Path file) {
    run(() -> saveNow(file));
  }

  /** {@link #apply}, in an open backing. */
  protected abstract boolean write(Change change);

  /** {@link #enrollAll}, in an open backing. */
  protected abstract void writeAll(Map<String, List<float[]>> vectors);

  /** {@link #compact}, in an open backing. */
  protected abstract void compactNow();

  /**
   * The {@code k} identities most similar to each probe, decided at the threshold for the number of
   * templates this very search covered (a store may have grown since the last one).
   */
  public final List<Identification> identify(float[][] probes, int k) {
    // The policy goes with the search, for a store that searches less once it finds a face at the
    // threshold for the templates it covers.
    Templates.Found found = read(t -> t.search(probes, k, policy::threshold));
    float threshold = policy.threshold(found.templateCount());
    if (policy.selfSearchDue(found.templateCount()) && searchingSelf.compareAndSet(false, true)) {
      SelfSearch.BACKGROUND.execute(this::refreshSelfSearch);
    }
    List<Identification> result = new ArrayList<>(probes.length);
    for (List<Candidate> hits : found.ranked()) {
      List<Candidate> ranked = new ArrayList<>(hits.size());
      for (Candidate hit : hits) {
        ranked.add(new Candidate(hit.identity(), clamp(hit.similarity())));
      }
      result.add(new Identification(ranked, threshold));
    }
    return result;
  }

  /**
   * Searches a sample of the gallery's own templates against the other identities and lets the
   * policy set the threshold from what they found; see {@link SelfSearch}.
   */
  public final ThresholdReport searchSelf() {
    return whileOpen(
        () -> {
          long count = templates.templateCount();
          int searches = SelfSearch.searchesFor(policy.targetFpir());
          float[] best = SelfSearch.bestOthers(templates, searches, count * 31 + searches);
          if (best.length > 0) {
            policy.useSelfSearch(best, count);
          }
          return policy.report(count);
        });
  }

  /** The threshold at the current number of templates, and where it comes from. */
  public final ThresholdReport thresholdReport() {
    return policy.report(read(Templates::templateCount));
  }

  private void refreshSelfSearch() {
    try {
      ThresholdReport report = searchSelf();
      log.debug("self-search refreshed: {}", report);
    } catch (IllegalStateException closedMeanwhile) {
      log.debug("self-search skipped: the gallery was closed");
    } catch (RuntimeException e) {
      log.warn("self-search of the gallery failed; the previous estimate stays: {}", e.toString());
    } finally {
      searchingSelf.set(false);
    }
  }

  /** A similarity in [-1, 1], whatever rounding the kernels left. */
  public static float clamp(float similarity) {
    return Math.max(-1f, Math.min(1f, similarity));
  }

  /** {@link #save}, in an open backing. */
  protected void saveNow(Path file) {
    try {
      DurableFiles.replaceOrThrow(file, out -> writeSnapshot(out, null));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save gallery to " + file + ": " + e, e);
    }
  }

  /** The whole gallery in the snapshot format; the caller orders it with the writes. */
  protected final void writeSnapshot(OutputStream out, RecordCipher cipher) throws IOException {
    Change.Settings settings = settings();
    GalleryCodec.Writer writer =
        new GalleryCodec.Writer(
            out, embedderId, dimension, settings.threshold(), settings.targetFpir(), cipher);
    IOException[] failed = {null};
    templates.forEach(
        (name, rows) -> {
          try {
            if (failed[0] == null) {
              writer.enroll(name, rows);
            }
          } catch (IOException e) {
            failed[0] = e;
          }
        });
    if (failed[0] != null) {
      throw failed[0];
    }
    writer.finish();
  }

  private Change.Settings settings() {
    return new Change.Settings(policy.threshold(templates.templateCount()), policy.targetFpir());
  }

  /** What the gallery's {@code toString} says of its contents. */
  public final String describe() {
    return closed ? "closed, embedder " + embedderId : read(t -> contents());
  }

  /** {@link #describe}, of an open backing. */
  protected String contents() {
    return templates.size()
        + " identities, "
        + templates.templateCount()
        + " templates, embedder "
        + embedderId
        + ", threshold "
        + policy.threshold(templates.templateCount());
  }

  /**
   * Waits for calls in progress, then releases device memory, files and connections; later calls
   * are refused. Idempotent.
   */
  @Override
  public final void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        release();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** {@link #close}, once. */
  protected void release() {
    templates.close();
  }

  private void run(Runnable action) {
    whileOpen(
        () -> {
          action.run();
          return null;
        });
  }

  private <T> T whileOpen(Supplier<T> action) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("this gallery has been closed");
      }
      return action.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }
}
