package dev.semblance.internal.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.GalleryOptions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gallery held in this JVM: changes are applied one at a time, each after the checks that decide
 * whether it changes anything, so that a subclass can log exactly the changes made, in order.
 *
 * <p>Thread safety: safe for concurrent use; changes are serialised, searches run beside them.
 */
public class MemoryBacking extends Backing implements Consumer<Change> {
  private static final Logger log = LoggerFactory.getLogger(MemoryBacking.class);

  /** Orders the changes, so that a log replays them as applied. */
  protected final ReentrantLock writes = new ReentrantLock();

  public MemoryBacking(
      String embedderId, int dimension, GalleryOptions options, ThresholdPolicy policy) {
    super(embedderId, dimension, options, templates(embedderId, dimension, options), policy);
  }

  private static Templates templates(String embedderId, int dimension, GalleryOptions options) {
    checkEmbedder(embedderId, dimension);
    return new MemoryTemplates(dimension, options);
  }

  /**
   * Reads a gallery file written by {@link #save}.
   *
   * @param policy makes the threshold policy of the embedder the file names
   */
  public static MemoryBacking load(
      Path file, GalleryOptions options, Function<String, ThresholdPolicy> policy) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return GalleryCodec.read(
          in,
          file.toString(),
          null,
          header ->
              new MemoryBacking(
                  header.embedderId(),
                  header.dimension(),
                  options,
                  policy.apply(header.embedderId())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read gallery " + file + ": " + e, e);
    }
  }

  /**
   * Replays a change read back from a file, unchecked and unlogged: templates to the templates,
   * settings to the policy.
   */
  @Override
  public final void accept(Change change) {
    if (change instanceof Change.Settings s) {
      if (!policy.restore(s.threshold(), s.targetFpir())) {
        log.info(
            "a target FPIR of {} was saved under a calibration that is not bundled; using the "
                + "saved threshold {} (call setTargetFpir to follow the rate)",
            s.targetFpir(),
            s.threshold());
      }
    } else {
      templates.apply(change);
    }
  }

  @Override
  protected final boolean write(Change change) {
    long logged;
    writes.lock();
    try {
      if (!changes(change)) {
        return false;
      }
      logged = log(change);
      templates.apply(change);
    } finally {
      writes.unlock();
    }
    afterWrite(logged);
    return true;
  }

  @Override
  protected final void writeAll(Map<String, List<float[]>> vectors) {
    long logged = -1;
    writes.lock();
    try {
      for (Map.Entry<String, List<float[]>> e : vectors.entrySet()) {
        logged = log(new Change.Enroll(e.getKey(), e.getValue()));
      }
      templates.enrollAll(vectors);
    } finally {
      writes.unlock();
    }
    afterWrite(logged);
  }

  /** Whether {@code change} would change the templates; under {@link #writes}. */
  private boolean changes(Change change) {
    if (change instanceof Change.Remove r) {
      return templates.contains(r.identity());
    }
    if (change instanceof Change.Rename r) {
      checkArgument(templates.contains(r.from()), "identity is not enrolled: '%s'", r.from());
      checkArgument(!templates.contains(r.to()), "identity is already enrolled: '%s'", r.to());
    }
    if (change instanceof Change.RemoveTemplate t) {
      return templates.templatesOf(t.identity()).stream()
          .anyMatch(row -> Arrays.equals(row, t.template()));
    }
    return true;
  }

  /** Records a change about to be applied; its log position, or -1 where nothing is logged. */
  protected long log(Change change) {
    return -1;
  }

  /** Runs after a change was applied, outside {@link #writes}, with what {@link #log} returned. */
  protected void afterWrite(long logged) {}

  @Override
  protected void compactNow() {
    throw new IllegalStateException("this gallery was not opened from a directory");
  }

  @Override
  protected final void saveNow(Path file) {
    writes.lock();
    try {
      super.saveNow(file);
    } finally {
      writes.unlock();
    }
  }
}
