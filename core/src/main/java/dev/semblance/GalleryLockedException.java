package dev.semblance;

/**
 * A gallery directory is already open for writing, by another process or elsewhere in this one.
 * Only one writer may hold a gallery directory at a time; close the other gallery first.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class GalleryLockedException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public GalleryLockedException(String message) {
    super(message);
  }
}
