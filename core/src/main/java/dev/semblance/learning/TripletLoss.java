package dev.semblance.learning;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * The triplet loss of FaceNet: for anchor A, positive P and negative N, {@code L = max(‖f(A) −
 * f(P)‖² − ‖f(A) − f(N)‖² + α, 0)}. The cost J of a batch is the sum over its triplets, or
 * optionally their mean. A triplet whose negative is already farther than the positive by the
 * margin α costs nothing and teaches nothing: the hard triplets, where d(A,P) ≈ d(A,N), are the
 * ones that move the embedding.
 *
 * <pre>{@code
 * TripletLoss loss = TripletLoss.withMargin(0.2);
 * double j = loss.cost(embeddings, triplets, false);
 * }</pre>
 *
 * <p><b>Thread safety.</b> Immutable and stateless.
 */
public final class TripletLoss {
  /** FaceNet's margin for unit-length embeddings. */
  public static final double DEFAULT_MARGIN = 0.2;

  private final double margin;

  private TripletLoss(double margin) {
    this.margin = margin;
  }

  public static TripletLoss withMargin(double margin) {
    checkArgument(
        margin >= 0 && Double.isFinite(margin),
        "margin must be finite and not negative: %s",
        margin);
    return new TripletLoss(margin);
  }

  public static TripletLoss withDefaultMargin() {
    return new TripletLoss(DEFAULT_MARGIN);
  }

  public double margin() {
    return margin;
  }

  /** The loss of one triplet. */
  public double loss(float[] anchor, float[] positive, float[] negative) {
    checkLengths(anchor, positive, negative);
    return Math.max(
        squaredDistance(anchor, positive) - squaredDistance(anchor, negative) + margin, 0);
  }

  /**
   * The cost J of the triplets over {@code embeddings} (rows of a batch): the sum of their losses,
   * or the mean when {@code mean} (0 for no triplets).
   */
  public double cost(float[][] embeddings, List<Triplet> triplets, boolean mean) {
    double sum = 0;
    for (Triplet t : triplets) {
      sum += loss(embeddings[t.anchor()], embeddings[t.positive()], embeddings[t.negative()]);
    }
    return mean && !triplets.isEmpty() ? sum / triplets.size() : sum;
  }

  /**
   * The cost, as {@link #cost}, and its gradient with respect to every embedding, added into {@code
   * gradient} (same shape as {@code embeddings}). For an active triplet, ∂L/∂A = 2(N − P), ∂L/∂P =
   * 2(P − A), ∂L/∂N = 2(A − N); inactive triplets contribute nothing.
   */
  public double costAndGradient(
      float[][] embeddings, List<Triplet> triplets, boolean mean, float[][] gradient) {
    double scale = mean && !triplets.isEmpty() ? 1.0 / triplets.size() : 1.0;
    double sum = 0;
    for (Triplet t : triplets) {
      float[] a = embeddings[t.anchor()];
      float[] p = embeddings[t.positive()];
      float[] n = embeddings[t.negative()];
      double l = loss(a, p, n);
      if (l <= 0) {
        continue;
      }
      sum += l;
      float[] ga = gradient[t.anchor()];
      float[] gp = gradient[t.positive()];
      float[] gn = gradient[t.negative()];
      for (int i = 0; i < a.length; i++) {
        ga[i] += (float) (2 * scale * (n[i] - p[i]));
        gp[i] += (float) (2 * scale * (p[i] - a[i]));
        gn[i] += (float) (2 * scale * (a[i] - n[i]));
      }
    }
    return sum * scale;
  }

  static double squaredDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  private static void checkLengths(float[] a, float[] p, float[] n) {
    checkArgument(
        a.length == p.length && p.length == n.length,
        "embedding dimensions differ: %s, %s, %s",
        a.length,
        p.length,
        n.length);
  }

  @Override
  public String toString() {
    return "TripletLoss[margin=" + margin + "]";
  }
}
