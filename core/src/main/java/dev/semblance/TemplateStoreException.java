package dev.semblance;

/**
 * The store that holds a gallery's templates outside the JVM failed: it cannot be reached, timed
 * out, refused a request, answered from only part of its data, or is not a Semblance gallery of
 * this embedder. The call had no effect, or (for a write) may have had part of its effect; writes
 * are safe to retry.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class TemplateStoreException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public TemplateStoreException(String message) {
    super(message);
  }

  public TemplateStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
