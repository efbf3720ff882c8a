package dev.semblance.spi;

/**
 * Runs ONNX models for Semblance. Implementations register through {@link java.util.ServiceLoader}
 * in {@code META-INF/services/dev.semblance.spi.InferenceBackend}; the one with the highest {@link
 * #priority()} wins unless the system property {@code semblance.backend} names another.
 *
 * <p><b>Thread safety.</b> Implementations must be safe for concurrent use.
 */
public interface InferenceBackend {

  /** A short name, e.g. {@code onnxruntime}; what {@code semblance.backend} matches. */
  String name();

  /** Higher wins when several backends are installed. */
  int priority();

  /**
   * Loads a model from its serialised bytes.
   *
   * @param description what the model is, for error messages (e.g. a file name)
   * @throws dev.semblance.ModelException if the bytes are not a loadable model
   */
  ModelSession load(byte[] model, String description, SessionOptions options);
}
