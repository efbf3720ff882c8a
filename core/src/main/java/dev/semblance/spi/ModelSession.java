package dev.semblance.spi;

import java.util.Map;

/**
 * A loaded model with one float32 input, ready to run.
 *
 * <p><b>Thread safety.</b> Implementations must allow concurrent {@link #run} calls; {@link #close}
 * waits for no caller and may be called once all callers are done.
 */
public interface ModelSession extends AutoCloseable {

  /** The input's shape as declared by the model; -1 marks a free dimension. */
  long[] inputShape();

  /**
   * The largest batch (outermost input dimension) one {@link #run} accepts: 1 for models that pin
   * their batch size, {@link Integer#MAX_VALUE} when it is free.
   */
  int maxBatch();

  /**
   * Runs the model.
   *
   * @return every output by name
   * @throws dev.semblance.ModelException if the runtime fails
   */
  Map<String, Tensor> run(Tensor input);

  @Override
  void close();
}
