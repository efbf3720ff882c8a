package dev.semblance;

/**
 * A model could not be found, loaded or run: the bundled models are missing from the class path, no
 * inference backend is installed, a model file does not match its declared shape, or the runtime
 * failed.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class ModelException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
