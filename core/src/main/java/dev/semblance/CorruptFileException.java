package dev.semblance;

/**
 * A file is not the Semblance file it should be, comes from a newer format version, or is damaged
 * (a checksum fails, it is cut short, a value is impossible). Nothing is loaded from such a file:
 * every Semblance file (gallery, trained head, saved clusters) is read whole or not at all. The
 * message names the file and, where known, the byte offset of the damage.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public class CorruptFileException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public CorruptFileException(String message) {
    super(message);
  }

  public CorruptFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
