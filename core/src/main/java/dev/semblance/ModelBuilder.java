package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.pipeline.ModelSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link DetectorModel.Builder} and {@link EmbedderModel.Builder} share: how a user's ONNX
 * file expects its input. Not thread-safe.
 */
abstract class ModelBuilder<B extends ModelBuilder<B>> {
  private final Path file;
  private int width;
  private int height;
  private ChannelOrder order;
  private float mean = 127f;
  private float std = 128f;
  private String sha256;

  ModelBuilder(Path file, int width, int height, ChannelOrder order) {
    this.file = Objects.requireNonNull(file, "file");
    this.width = width;
    this.height = height;
    this.order = order;
  }

  abstract B self();

  /** The model's input width and height in pixels. */
  public B inputSize(int width, int height) {
    checkArgument(width > 0 && height > 0, "input size must be positive: %sx%s", width, height);
    this.width = width;
    this.height = height;
    return self();
  }

  /** The order of the colour planes in the model's NCHW input. */
  public B channelOrder(ChannelOrder order) {
    this.order = Objects.requireNonNull(order, "order");
    return self();
  }

  /** Input values are {@code (pixel − mean) / std}, pixels in 0..255; default (127, 128). */
  public B normalization(float mean, float std) {
    checkArgument(
        Float.isFinite(mean) && Float.isFinite(std) && std != 0,
        "normalisation needs a finite mean and a non-zero finite std: %s, %s",
        mean,
        std);
    this.mean = mean;
    this.std = std;
    return self();
  }

  /** Refuse to load the file unless its SHA-256 (hex) is {@code sha256}. */
  public B sha256(String sha256) {
    checkArgument(sha256.matches("[0-9a-fA-F]{64}"), "not a SHA-256 hex digest: %s", sha256);
    this.sha256 = sha256;
    return self();
  }

  ModelSpec spec() {
    return new ModelSpec(null, file, sha256, width, height, order, mean, std);
  }
}
