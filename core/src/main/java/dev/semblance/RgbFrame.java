package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * An image already decoded into memory: 8-bit samples, red, green, blue interleaved, rows top to
 * bottom with no padding — what a video decoder or camera hands over frame after frame. The encoder
 * reads it in place, with no conversion through {@link java.awt.image.BufferedImage}.
 *
 * <p><b>Thread safety.</b> The array is shared, not copied: do not change it while an {@link
 * Encoder} call uses the frame. Otherwise immutable.
 */
public final class RgbFrame {
  private final int width;
  private final int height;
  private final byte[] rgb;

  private RgbFrame(int width, int height, byte[] rgb) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  /**
   * A frame over {@code rgb}, which holds {@code 3 × width × height} bytes.
   *
   * @throws IllegalArgumentException if the size is empty or the array's length does not match
   */
  public static RgbFrame of(int width, int height, byte[] rgb) {
    Objects.requireNonNull(rgb, "rgb");
    checkArgument(width > 0 && height > 0, "frame must not be empty: %sx%s", width, height);
    checkArgument(
        rgb.length == 3L * width * height,
        "a %sx%s RGB frame needs %s bytes, not %s",
        width,
        height,
        3L * width * height,
        rgb.length);
    return new RgbFrame(width, height, rgb);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The samples, not copied. */
  public byte[] rgb() {
    return rgb;
  }

  @Override
  public String toString() {
    return "RgbFrame[" + width + "x" + height + "]";
  }
}
