package dev.semblance;

import dev.semblance.internal.pipeline.ModelSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A face embedder: one aligned face image in, one embedding vector out. Faces are aligned to the
 * ArcFace five-point template, scaled to the declared input size. The bundled embedder is a
 * MobileFaceNet-style network with 512-d output that takes 112×112 BGR faces normalised as {@code
 * (x − 127) / 128}.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class EmbedderModel {
  static final String BUNDLED_SHA256 =
      "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581";
  private static final EmbedderModel BUNDLED =
      new EmbedderModel(
          new ModelSpec(
              "dev/semblance/models/fr_feature.onnx",
              null,
              BUNDLED_SHA256,
              112,
              112,
              ChannelOrder.BGR,
              127f,
              128f));

  private final ModelSpec spec;

  private EmbedderModel(ModelSpec spec) {
    this.spec = spec;
  }

  /** The embedder bundled with {@code semblance-onnx-backend}. */
  public static EmbedderModel bundled() {
    return BUNDLED;
  }

  /**
   * An embedder loaded from {@code onnxFile}, prepared like the bundled one until the builder says
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
    return "EmbedderModel[" + spec.description() + "]";
  }

  /** Declares how a user-supplied embedder's input is prepared. Not thread-safe. */
  public static final class Builder extends ModelBuilder<Builder> {
    private Builder(Path file) {
      super(file, 112, 112, ChannelOrder.BGR);
    }

    @Override
    Builder self() {
      return this;
    }

    public EmbedderModel build() {
      return new EmbedderModel(spec());
    }
  }
}
