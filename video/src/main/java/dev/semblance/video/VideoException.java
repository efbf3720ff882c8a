package dev.semblance.video;

import dev.semblance.SemblanceException;

/**
 * A video that cannot be opened or read: a missing or unsupported file, a truncated or corrupt one,
 * a stream that stalls or breaks. The message names the source and FFmpeg's reason.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public class VideoException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  public VideoException(String message) {
    super(message);
  }
}
