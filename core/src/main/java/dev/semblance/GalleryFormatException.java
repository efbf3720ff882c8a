package dev.semblance;

/**
 * A gallery file is not a Semblance gallery, comes from a newer format version, or is damaged (bad
 * checksum, truncated record, impossible values), or a gallery directory's files do not belong
 * together. Nothing is loaded from such a file: a gallery is read whole or not at all.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class GalleryFormatException extends CorruptFileException {
  private static final long serialVersionUID = 1L;

  public GalleryFormatException(String message) {
    super(message);
  }

  public GalleryFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
