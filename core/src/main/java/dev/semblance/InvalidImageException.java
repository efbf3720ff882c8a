package dev.semblance;

/**
 * An image could not be used: it is empty, truncated, corrupt, in an unsupported format, or larger
 * than the configured pixel limit. The message names the problem and, where known, the file.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class InvalidImageException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public InvalidImageException(String message) {
    super(message);
  }

  public InvalidImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
