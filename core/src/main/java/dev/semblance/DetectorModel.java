package dev.semblance;

import dev.semblance.internal.pipeline.ModelSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A face detector of the Ultra-Light (RFB/slim) family: one image input, and outputs {@code scores}
 * [1, N, 2] (background, face) and {@code boxes} [1, N, 4] (normalised corners). The bundled one
 * takes 320×240 RGB images normalised as {@code (x − 127) / 128}; larger variants of the same
 * family can be loaded from a file by declaring their input.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class DetectorModel {
  static final String BUNDLED_SHA256 =
      "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854";
  private static final DetectorModel BUNDLED =
      new DetectorModel(
          new ModelSpec(
              "dev/semblance/models/fr_detect.onnx",
              null,
              BUNDLED_SHA256,
              320,
              240,
              ChannelOrder.RGB,
              127f,
              128f));

  private final ModelSpec spec;

  private DetectorModel(ModelSpec spec) {
    this.spec = spec;
  }

  /** The detector bundled with {@code semblance-onnx-backend}. */
  public static DetectorModel bundled() {
    return BUNDLED;
  }

  /**
   * A detector loaded from {@code onnxFile}, prepared like the bundled one until the builder says
   * otherwise.
   */
  public static Builder fromFile(Path onnxFile) {
    return new Builder(Objects.requireNonNull(onnxFile, "onnxFile"));
  }

  ModelSpec spec() {
    return spec;
  }

  @Override
  public String toString() {
    return "DetectorModel[" + spec.description() + "]";
  }

  /** Declares how a user-supplied detector's input is prepared. Not thread-safe. */
  public static final class Builder extends ModelBuilder<Builder> {
    private Builder(Path file) {
      super(file, 320, 240, ChannelOrder.RGB);
    }

    @Override
    Builder self() {
      return this;
    }

    public DetectorModel build() {
      return new DetectorModel(spec());
    }
  }
}
