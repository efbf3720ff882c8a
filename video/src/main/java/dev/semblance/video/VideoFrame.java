package dev.semblance.video;

import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.Objects;

/**
 * One decoded frame of a video: its number in decoding order (from 0), its presentation time, and
 * its pixels.
 *
 * <p><b>Thread safety.</b> Immutable, as its {@link RgbFrame} is.
 *
 * @param index the frame's number, from 0
 * @param time when the frame is shown, from the start of the video
 * @param image the pixels, 8-bit RGB
 */
public record VideoFrame(long index, Duration time, RgbFrame image) {
  public VideoFrame {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(image, "image");
  }
}
