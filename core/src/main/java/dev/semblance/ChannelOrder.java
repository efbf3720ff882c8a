package dev.semblance;

/**
 * The order of colour planes a model expects in its NCHW input.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public enum ChannelOrder {
  RGB,
  /** OpenCV's order; models trained on OpenCV-loaded images expect it. */
  BGR
}
