package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import dev.semblance.internal.heads.HeadFile;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A linear map W (d_in → d_out) followed by L2 normalisation, trained with the triplet loss on a
 * frozen embedder's output: it adapts embeddings to a population and compresses them (512 → 128
 * makes galleries four times smaller and scans four times faster). An {@link dev.semblance.Encoder}
 * can apply it transparently; {@link dev.semblance.learning.ProjectionTrainer} trains it.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class ProjectionHead {
  private static final String KIND = "projection";

  private final String embedderId;
  private final int inputDimension;
  private final int outputDimension;
  private final float[] weights; // outputDimension × inputDimension, row-major

  /**
   * A head with the given {@code outputDimension × inputDimension} weights, row-major; trained by
   * {@link dev.semblance.learning.ProjectionTrainer} or read with {@link #load}.
   *
   * @throws IllegalArgumentException if the weights do not match the dimensions or are not finite
   */
  public static ProjectionHead of(
      String embedderId, int inputDimension, int outputDimension, float[] weights) {
    return new ProjectionHead(embedderId, inputDimension, outputDimension, weights.clone());
  }

  private ProjectionHead(
      String embedderId, int inputDimension, int outputDimension, float[] weights) {
    checkArgument(inputDimension > 0 && outputDimension > 0, "dimensions must be positive");
    checkArgument(
        weights.length == inputDimension * outputDimension, "weights do not match the dimensions");
    for (float w : weights) {
      checkArgument(Float.isFinite(w), "projection weights must be finite");
    }
    this.embedderId = embedderId;
    this.inputDimension = inputDimension;
    this.outputDimension = outputDimension;
    this.weights = weights;
  }

  /** The embedder whose output this head was trained on. */
  public String embedderId() {
    return embedderId;
  }

  /** What the projected embeddings are: the source embedder, the head's size and digest. */
  public String projectedEmbedderId() {
    ByteBuffer bytes = ByteBuffer.allocate(weights.length * 4);
    bytes.asFloatBuffer().put(weights);
    return embedderId
        + "+projection"
        + outputDimension
        + "@sha256:"
        + Hashing.sha256().hashBytes(bytes.array()).toString().substring(0, 16);
  }

  public int inputDimension() {
    return inputDimension;
  }

  public int outputDimension() {
    return outputDimension;
  }

  /** W·x before normalisation, as training differentiates it. */
  public float[] linear(float[] x) {
    float[] z = new float[outputDimension];
    for (int o = 0; o < outputDimension; o++) {
      double s = 0;
      int row = o * inputDimension;
      for (int i = 0; i < inputDimension; i++) {
        s += weights[row + i] * x[i];
      }
      z[o] = (float) s;
    }
    return z;
  }

  /**
   * Projects a raw or normalised embedding vector and normalises the result.
   *
   * @throws IllegalArgumentException if the length is not {@link #inputDimension()}
   */
  public Embedding project(float[] embedding) {
    checkArgument(
        embedding.length == inputDimension,
        "embedding dimension %s does not match the projection's input %s",
        embedding.length,
        inputDimension);
    return Embedding.of(linear(embedding));
  }

  public Embedding project(Embedding embedding) {
    return project(embedding.toArray());
  }

  /** A copy of W, row-major. */
  public float[] weights() {
    return weights.clone();
  }

  public void save(Path file) {
    HeadFile.write(
        file,
        KIND,
        embedderId,
        out -> {
          out.writeInt(inputDimension);
          out.writeInt(outputDimension);
          for (float w : weights) {
            out.writeFloat(w);
          }
        });
  }

  /**
   * Reads a head that {@link #save} wrote.
   *
   * @throws CorruptFileException if the file is not a projection head or is damaged
   * @throws java.io.UncheckedIOException if it cannot be read
   */
  public static ProjectionHead load(Path file) {
    HeadFile.Opened opened = HeadFile.read(file, KIND);
    try {
      DataInputStream in = opened.body();
      int inDim = in.readInt();
      int outDim = in.readInt();
      if (inDim <= 0 || outDim <= 0 || (long) inDim * outDim * 4 != in.available()) {
        throw new CorruptFileException(
            "projection head has impossible dimensions " + inDim + " → " + outDim + ": " + file);
      }
      float[] w = new float[inDim * outDim];
      for (int i = 0; i < w.length; i++) {
        w[i] = in.readFloat();
      }
      return new ProjectionHead(opened.embedderId(), inDim, outDim, w);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptFileException(
          "projection head is damaged: " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ProjectionHead["
        + inputDimension
        + " → "
        + outputDimension
        + ", for "
        + embedderId
        + "]";
  }
}
