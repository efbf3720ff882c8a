package dev.semblance;

/**
 * An operation that needs a face found none in its image.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class NoFaceException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public NoFaceException(String message) {
    super(message);
  }
}
