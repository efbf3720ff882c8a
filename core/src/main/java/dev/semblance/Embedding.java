package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * A face embedding f(x): an L2-normalised vector produced by an embedder. Two embeddings of the
 * same person are close; of different people, far apart.
 *
 * <p><b>Score convention.</b> Semblance compares embeddings by <em>cosine similarity</em> {@code s
 * = f(x1) · f(x2)} in [-1, 1], higher meaning more alike. Because the vectors are unit length, the
 * Euclidean distance follows from it: {@code d = ||f(x1) - f(x2)|| = sqrt(2 - 2s)}; both are
 * reported, and every threshold in the API is a similarity threshold.
 *
 * <p><b>Thread safety.</b> Immutable; the vector is copied on the way in and out.
 */
public final class Embedding {
  private final float[] vector;

  private Embedding(float[] unitVector) {
    this.vector = unitVector;
  }

  /**
   * Normalises {@code values} to unit length and wraps the result.
   *
   * @throws IllegalArgumentException if the vector is empty, holds NaN or infinite values, or is
   *     all zeros
   */
  public static Embedding of(float[] values) {
    checkArgument(values.length > 0, "embedding must have at least one dimension");
    double sumOfSquares = 0;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      checkArgument(Float.isFinite(v), "embedding component %s is not finite: %s", i, (Object) v);
      sumOfSquares += (double) v * v;
    }
    checkArgument(sumOfSquares > 0, "embedding is all zeros and cannot be normalised");
    float scale = (float) (1.0 / Math.sqrt(sumOfSquares));
    float[] unit = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      unit[i] = values[i] * scale;
    }
    return new Embedding(unit);
  }

  /** Wraps a vector already checked to be finite and of unit length, bit for bit. */
  static Embedding ofUnitVector(float[] unitVector) {
    return new Embedding(unitVector.clone());
  }

  public int dimension() {
    return vector.length;
  }

  /** A copy of the unit-length vector. */
  public float[] toArray() {
    return vector.clone();
  }

  /** Copies the vector into {@code target} at {@code offset}. */
  public void copyTo(float[] target, int offset) {
    System.arraycopy(vector, 0, target, offset, vector.length);
  }

  /**
   * Cosine similarity with {@code other}, in [-1, 1]; higher is more alike.
   *
   * @throws IllegalArgumentException if the dimensions differ
   */
  public float similarity(Embedding other) {
    checkDimension(other);
    double dot = 0;
    for (int i = 0; i < vector.length; i++) {
      dot += vector[i] * other.vector[i];
    }
    return (float) Math.max(-1.0, Math.min(1.0, dot));
  }

  /**
   * Euclidean distance to {@code other}, in [0, 2]; lower is more alike.
   *
   * @throws IllegalArgumentException if the dimensions differ
   */
  public float distance(Embedding other) {
    return distanceForSimilarity(similarity(other));
  }

  /** The Euclidean distance between unit vectors whose cosine similarity is {@code s}. */
  public static float distanceForSimilarity(float s) {
    return (float) Math.sqrt(Math.max(0.0, 2.0 - 2.0 * s));
  }

  void checkDimension(Embedding other) {
    checkArgument(
        other.vector.length == vector.length,
        "embedding dimensions differ: %s != %s",
        vector.length,
        other.vector.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "Embedding[dimension=" + vector.length + "]";
  }
}
