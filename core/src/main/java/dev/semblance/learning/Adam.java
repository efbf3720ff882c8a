package dev.semblance.learning;

/**
 * Adam (Kingma and Ba) with the usual β₁ = 0.9, β₂ = 0.999: the optimiser of both trainers.
 *
 * <p>Thread safety: not thread-safe; one per training run.
 */
final class Adam {
  private final float[] m;
  private final float[] v;
  private final double rate;
  private int t;

  Adam(int size, double rate) {
    this.m = new float[size];
    this.v = new float[size];
    this.rate = rate;
  }

  void step(float[] params, float[] grad) {
    t++;
    double c1 = 1 - Math.pow(0.9, t);
    double c2 = 1 - Math.pow(0.999, t);
    for (int i = 0; i < params.length; i++) {
      m[i] = 0.9f * m[i] + 0.1f * grad[i];
      v[i] = 0.999f * v[i] + 0.001f * grad[i] * grad[i];
      params[i] -= (float) (rate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8));
    }
  }
}
