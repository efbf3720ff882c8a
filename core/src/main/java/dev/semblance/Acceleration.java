package dev.semblance;

/**
 * Whether a {@link Gallery}'s large searches use a device such as a GPU ({@link
 * GalleryOptions#acceleration()}). Accelerated searches give exactly the CPU's answers (see {@link
 * dev.semblance.spi.SearchAccelerator}).
 */
public enum Acceleration {
  /**
   * A GPU when an accelerator module (e.g. {@code semblance-cuda-kernels}) finds one, else the CPU.
   */
  AUTO,
  /** Always the CPU. */
  CPU,
  /** A GPU, or fail: creating the gallery throws when none is available. */
  GPU
}
