package dev.semblance.spi;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How a backend should load a model.
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param threads threads one inference may use; 0 lets the backend decide
 * @param freeBatchDimension ask the backend to lift a batch size the model pins to 1, when it can
 *     prove the rewrite safe; otherwise the session keeps {@link ModelSession#maxBatch()} 1
 */
public record SessionOptions(int threads, boolean freeBatchDimension) {
  public SessionOptions {
    checkArgument(threads >= 0, "threads must not be negative: %s", threads);
  }
}
