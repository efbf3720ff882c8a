package dev.semblance.internal.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.ChannelOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a model comes from and how its input is prepared: {@code (pixel − mean) / std} per channel,
 * planes in {@code channelOrder}.
 *
 * @param resource class-path resource of a bundled model, or null
 * @param file file of a user-supplied model, or null
 * @param sha256 expected SHA-256 (hex) of the model file, or null to skip the check
 */
public record ModelSpec(
    String resource,
    Path file,
    String sha256,
    int inputWidth,
    int inputHeight,
    ChannelOrder channelOrder,
    float mean,
    float std) {

  public ModelSpec {
    checkArgument((resource == null) != (file == null), "exactly one of resource and file");
    checkArgument(
        inputWidth > 0 && inputHeight > 0,
        "input size must be positive: %sx%s",
        inputWidth,
        inputHeight);
    checkArgument(
        std != 0 && Float.isFinite(std) && Float.isFinite(mean),
        "normalisation needs a finite mean and a non-zero finite std: %s, %s",
        mean,
        std);
    Objects.requireNonNull(channelOrder, "channelOrder");
  }

  public String description() {
    return resource != null ? "bundled model " + resource : "model file " + file;
  }
}
