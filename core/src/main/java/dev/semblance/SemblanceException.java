package dev.semblance;

/**
 * Base of the exceptions Semblance throws for failures of its environment or input data: unreadable
 * images, missing models or backends, damaged gallery files. Caller mistakes (a negative size,
 * mismatched dimensions) are {@link IllegalArgumentException}s instead.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public class SemblanceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SemblanceException(String message) {
    super(message);
  }

  public SemblanceException(String message, Throwable cause) {
    super(message, cause);
  }
}
