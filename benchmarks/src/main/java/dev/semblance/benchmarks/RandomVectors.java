package dev.semblance.benchmarks;

import dev.semblance.Embedding;
import java.util.SplittableRandom;

/** Gaussian directions: uniformly distributed unit vectors, the hardest case for pruning. */
final class RandomVectors {
  private RandomVectors() {}

  static Embedding unit(SplittableRandom random, int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }
}
