package dev.semblance.video;

import dev.semblance.Box;

/**
 * A Kalman filter on a face's box, as DeepSORT keeps one: the centre, the aspect ratio (width over
 * height) and the height, each with its velocity, moving at constant velocity between measurements.
 * Noise scales with the face's height, so a near face may move more pixels than a far one. The four
 * quantities are independent in this model (diagonal noises), so the filter is four filters of two
 * states each, exactly.
 *
 * <p>Not thread-safe: owned by its track.
 */
final class BoxFilter {
  // DeepSORT's weights: position noise 1/20 of the height per frame, velocity noise 1/160.
  private static final double POSITION_NOISE = 1 / 20.0;
  private static final double VELOCITY_NOISE = 1 / 160.0;
  private static final double ASPECT_NOISE = 1e-2;
  private static final double ASPECT_VELOCITY_NOISE = 1e-5;

  private final double[] x = new double[4]; // cx, cy, aspect, height
  private final double[] v = new double[4];
  // Per quantity: covariance [[pp, pv], [pv, vv]].
  private final double[] pp = new double[4];
  private final double[] pv = new double[4];
  private final double[] vv = new double[4];
  private long frame;

  BoxFilter(Box box, long frame) {
    measure(box, x);
    this.frame = frame;
    for (int k = 0; k < 4; k++) {
      double sp = positionNoise(k);
      double sv = velocityNoise(k);
      pp[k] = 4 * sp * sp;
      vv[k] = 100 * sv * sv;
    }
  }

  /** Where the box should be in {@code at}, by its current velocity; the filter is not changed. */
  Box predict(long at) {
    double dt = at - frame;
    return box(x[0] + v[0] * dt, x[1] + v[1] * dt, x[2] + v[2] * dt, Math.max(1, x[3] + v[3] * dt));
  }

  /** The filter's box as last corrected. */
  Box box() {
    return box(x[0], x[1], x[2], x[3]);
  }

  /** Pixels per frame the centre moves. */
  float speed() {
    return (float) Math.hypot(v[0], v[1]);
  }

  /** Corrects the filter with a box measured in frame {@code at}. */
  void update(Box measured, long at) {
    double dt = Math.max(0, at - frame);
    double[] z = new double[4];
    measure(measured, z);
    for (int k = 0; k < 4; k++) {
      // Predict: x' = x + v·dt; P' = F P Fᵀ + Q·dt.
      double sp = positionNoise(k);
      double sv = velocityNoise(k);
      double p00 = pp[k] + dt * (2 * pv[k] + dt * vv[k]) + dt * sp * sp;
      double p01 = pv[k] + dt * vv[k];
      double p11 = vv[k] + dt * sv * sv;
      double xk = x[k] + v[k] * dt;
      // Update with the measured position (noise R).
      double r = measurementNoise(k);
      double s = p00 + r * r;
      double k0 = p00 / s;
      double k1 = p01 / s;
      double innovation = z[k] - xk;
      x[k] = xk + k0 * innovation;
      v[k] += k1 * innovation;
      pp[k] = (1 - k0) * p00;
      pv[k] = (1 - k0) * p01;
      vv[k] = p11 - k1 * p01;
    }
    frame = at;
  }

  private double positionNoise(int k) {
    return k == 2 ? ASPECT_NOISE : POSITION_NOISE * x[3];
  }

  private double velocityNoise(int k) {
    return k == 2 ? ASPECT_VELOCITY_NOISE : VELOCITY_NOISE * x[3];
  }

  private double measurementNoise(int k) {
    return k == 2 ? 1e-1 : POSITION_NOISE * x[3];
  }

  private static void measure(Box box, double[] z) {
    z[0] = box.center().x();
    z[1] = box.center().y();
    z[2] = box.width() / Math.max(1e-3, box.height());
    z[3] = box.height();
  }

  private static Box box(double cx, double cy, double aspect, double h) {
    double w = aspect * h;
    return new Box(
        (float) (cx - w / 2), (float) (cy - h / 2), (float) (cx + w / 2), (float) (cy + h / 2));
  }
}
