package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.heads.HeadFile;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The binary Siamese verifier: ŷ = σ(Σ_k w_k·φ_k(f(x1), f(x2)) + b), one weight per embedding
 * component, trained with cross-entropy on same/different pairs. φ is |a_k − b_k| ({@link
 * Features#ABSOLUTE_DIFFERENCE}) or the χ² form (a_k − b_k)² / (|a_k| + |b_k|) ({@link
 * Features#CHI_SQUARE}; DeepFace's (a_k + b_k) in the denominator assumes non-negative features,
 * which these embeddings are not, hence the absolute values). A {@link dev.semblance.Verifier} can
 * decide with it.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class LogisticHead {
  private static final String KIND = "logistic";

  /** The per-component feature of a pair. */
  public enum Features {
    ABSOLUTE_DIFFERENCE,
    CHI_SQUARE;

    /** φ of each component pair of {@code a} and {@code b}, of equal length. */
    public float[] of(float[] a, float[] b) {
      float[] f = new float[a.length];
      for (int k = 0; k < a.length; k++) {
        float d = a[k] - b[k];
        f[k] =
            this == ABSOLUTE_DIFFERENCE
                ? Math.abs(d)
                : d * d / (Math.abs(a[k]) + Math.abs(b[k]) + 1e-6f);
      }
      return f;
    }
  }

  private final String embedderId;
  private final Features features;
  private final float[] weights;
  private final float bias;

  /**
   * A head with the given weights, one per embedding component, and bias; trained by {@link
   * dev.semblance.learning.LogisticTrainer} or read with {@link #load}.
   *
   * @throws IllegalArgumentException if a weight or the bias is not finite
   */
  public static LogisticHead of(String embedderId, Features features, float[] weights, float bias) {
    return new LogisticHead(embedderId, features, weights.clone(), bias);
  }

  private LogisticHead(String embedderId, Features features, float[] weights, float bias) {
    for (float w : weights) {
      checkArgument(Float.isFinite(w), "weights must be finite");
    }
    checkArgument(Float.isFinite(bias), "bias must be finite");
    this.embedderId = embedderId;
    this.features = features;
    this.weights = weights;
    this.bias = bias;
  }

  /** The embedder whose embeddings this head compares. */
  public String embedderId() {
    return embedderId;
  }

  public Features features() {
    return features;
  }

  public int dimension() {
    return weights.length;
  }

  /**
   * The probability that the two embeddings show the same person.
   *
   * @throws IllegalArgumentException if a dimension differs from the head's
   */
  public double probability(Embedding a, Embedding b) {
    checkArgument(
        a.dimension() == weights.length && b.dimension() == weights.length,
        "embedding dimensions %s and %s do not match the head's %s",
        a.dimension(),
        b.dimension(),
        weights.length);
    return sigmoid(logit(features.of(a.toArray(), b.toArray())));
  }

  private double logit(float[] phi) {
    double z = bias;
    for (int k = 0; k < phi.length; k++) {
      z += weights[k] * phi[k];
    }
    return z;
  }

  /** The logistic function, computed without overflow for any z. */
  public static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** Mean cross-entropy of the head on labelled pairs. */
  public double crossEntropy(List<Embedding[]> pairs, boolean[] same) {
    double sum = 0;
    for (int i = 0; i < pairs.size(); i++) {
      double p = probability(pairs.get(i)[0], pairs.get(i)[1]);
      p = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
      sum -= same[i] ? Math.log(p) : Math.log(1 - p);
    }
    return sum / pairs.size();
  }

  public void save(Path file) {
    HeadFile.write(
        file,
        KIND,
        embedderId,
        out -> {
          out.writeUTF(features.name());
          out.writeInt(weights.length);
          for (float w : weights) {
            out.writeFloat(w);
          }
          out.writeFloat(bias);
        });
  }

  /**
   * Reads a head that {@link #save} wrote.
   *
   * @throws CorruptFileException if the file is not a logistic head or is damaged
   * @throws java.io.UncheckedIOException if it cannot be read
   */
  public static LogisticHead load(Path file) {
    HeadFile.Opened opened = HeadFile.read(file, KIND);
    try {
      DataInputStream in = opened.body();
      Features features = Features.valueOf(in.readUTF());
      int d = in.readInt();
      if (d <= 0 || (long) d * 4 + 4 != in.available()) {
        throw new CorruptFileException(
            "logistic head has an impossible dimension " + d + ": " + file);
      }
      float[] w = new float[d];
      for (int k = 0; k < d; k++) {
        w[k] = in.readFloat();
      }
      return new LogisticHead(opened.embedderId(), features, w, in.readFloat());
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptFileException(
          "logistic head is damaged: " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "LogisticHead[" + features + ", " + weights.length + "-d, for " + embedderId + "]";
  }
}
