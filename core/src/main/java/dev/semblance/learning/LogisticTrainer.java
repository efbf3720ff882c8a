package dev.semblance.learning;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Embedding;
import dev.semblance.LogisticHead;
import java.util.Arrays;
import java.util.List;

/**
 * Fits the binary Siamese {@link LogisticHead} σ(Σ w_k·φ_k(f(x1), f(x2)) + b) to same/different
 * pairs.
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class LogisticTrainer {
  private LogisticTrainer() {}

  /**
   * Trains a head on labelled pairs by full-batch Adam on the mean cross-entropy plus an L2 penalty
   * on the weights. Deterministic.
   *
   * @param pairs each element holds the two embeddings of a pair
   * @param same whether each pair is the same person
   */
  public static LogisticHead train(
      String embedderId,
      LogisticHead.Features features,
      List<Embedding[]> pairs,
      boolean[] same,
      int epochs,
      double learningRate,
      double l2) {
    checkArgument(
        pairs.size() == same.length && !pairs.isEmpty(), "need one label per pair, and pairs");
    checkArgument(epochs > 0 && learningRate > 0 && l2 >= 0, "bad training settings");
    int d = pairs.get(0)[0].dimension();
    float[][] x = new float[pairs.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = features.of(pairs.get(i)[0].toArray(), pairs.get(i)[1].toArray());
    }
    // Start from "far apart means different": negative weights, bias at the mean feature.
    float[] params = new float[d + 1];
    double meanFeature = 0;
    for (float[] f : x) {
      for (float v : f) {
        meanFeature += v;
      }
    }
    meanFeature /= (double) x.length * d;
    for (int k = 0; k < d; k++) {
      params[k] = -1f;
    }
    params[d] = (float) (meanFeature * d);
    Adam adam = new Adam(params.length, learningRate);
    for (int epoch = 0; epoch < epochs; epoch++) {
      float[] grad = new float[d + 1];
      for (int i = 0; i < x.length; i++) {
        double z = params[d];
        for (int k = 0; k < d; k++) {
          z += params[k] * x[i][k];
        }
        double err = (LogisticHead.sigmoid(z) - (same[i] ? 1 : 0)) / x.length;
        for (int k = 0; k < d; k++) {
          grad[k] += (float) (err * x[i][k]);
        }
        grad[d] += (float) err;
      }
      for (int k = 0; k < d; k++) {
        grad[k] += (float) (l2 * params[k]);
      }
      adam.step(params, grad);
    }
    return LogisticHead.of(embedderId, features, Arrays.copyOf(params, d), params[d]);
  }
}
