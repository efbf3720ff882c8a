package dev.semblance.testing;

import dev.semblance.Embedding;
import java.util.Random;

/** Random unit vectors with planted similarities, for tests whose answers must be known exactly. */
public final class UnitVectors {
  private final Random random;
  private final int dimension;

  public UnitVectors(long seed, int dimension) {
    this.random = new Random(seed);
    this.dimension = dimension;
  }

  /** A random direction. */
  public Embedding random() {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }

  /** A random index below {@code bound}, from the same sequence as the vectors. */
  public int index(int bound) {
    return random.nextInt(bound);
  }

  /** A unit vector at cosine similarity about {@code cos} to {@code base}. */
  public Embedding near(Embedding base, double cos) {
    float[] b = base.toArray();
    float[] n = random().toArray();
    double dot = 0;
    for (int i = 0; i < dimension; i++) {
      dot += b[i] * n[i];
    }
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      n[i] -= (float) (dot * b[i]);
      norm += n[i] * n[i];
    }
    float[] out = new float[dimension];
    double sin = Math.sqrt(1 - cos * cos);
    for (int i = 0; i < dimension; i++) {
      out[i] = (float) (cos * b[i] + sin * n[i] / Math.sqrt(norm));
    }
    return Embedding.of(out);
  }
}
