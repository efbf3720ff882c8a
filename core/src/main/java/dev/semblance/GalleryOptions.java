package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Search settings of a {@link Gallery}: how templates are stored for the scan, whether a GPU helps,
 * and the threads that share a large scan. The answers are the same whatever they are.
 *
 * <p>A scan is split into slices; the calling thread works on them along with up to {@code
 * parallelism − 1} tasks handed to the executor, so searches run in parallel without Semblance
 * creating a thread. Small galleries are searched on the calling thread alone.
 *
 * <pre>{@code
 * Gallery g = Gallery.create(encoder, GalleryOptions.defaults().withStorage(TemplateStorage.INT8));
 * }</pre>
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param storage how templates are kept for scanning
 * @param acceleration whether a GPU takes large searches
 * @param executor where the helper tasks run; the common fork-join pool by default
 * @param parallelism the most threads, the caller's included, one search uses
 */
public record GalleryOptions(
    TemplateStorage storage, Acceleration acceleration, Executor executor, int parallelism) {
  /**
   * Checks the values.
   *
   * @throws NullPointerException if a value is null
   * @throws IllegalArgumentException if {@code parallelism < 1}
   */
  public GalleryOptions {
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(acceleration, "acceleration");
    Objects.requireNonNull(executor, "executor");
    checkArgument(parallelism > 0, "parallelism must be positive: %s", parallelism);
  }

  /**
   * Float32 storage, a GPU if one is found; CPU searches use every processor, helped by the common
   * fork-join pool.
   */
  public static GalleryOptions defaults() {
    return new GalleryOptions(
        TemplateStorage.FLOAT32,
        Acceleration.AUTO,
        ForkJoinPool.commonPool(),
        Runtime.getRuntime().availableProcessors());
  }

  /** These options with {@code storage}. */
  public GalleryOptions withStorage(TemplateStorage storage) {
    return new GalleryOptions(storage, acceleration, executor, parallelism);
  }

  /** These options with {@code acceleration}. */
  public GalleryOptions withAcceleration(Acceleration acceleration) {
    return new GalleryOptions(storage, acceleration, executor, parallelism);
  }

  /** Helper tasks go to {@code executor}; one search uses at most {@code parallelism} threads. */
  public GalleryOptions withExecutor(Executor executor, int parallelism) {
    return new GalleryOptions(storage, acceleration, executor, parallelism);
  }
}
