// Over 400 lines: the training loop with its analytic gradients (triplet loss through the L2
// normalisation), Adam and early stopping, which are read together when checking the maths.
package dev.semblance.learning;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Embedding;
import dev.semblance.ProjectionHead;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Trains a {@link ProjectionHead} with {@link TripletLoss} by mini-batch Adam. Batches are drawn P
 * × K (P identities, K embeddings each); triplets are mined in every batch with the chosen {@link
 * Mining} strategy on the current projection. A share of the identities is held out, and training
 * stops when their triplet loss has not improved for {@code patience} epochs, keeping the best
 * weights. Deterministic for a given seed.
 *
 * <pre>{@code
 * ProjectionTrainer.Result r = ProjectionTrainer.builder(128).mining(Mining.SEMI_HARD).seed(7).build()
 *     .train(encoder.embedderId(), embeddings, identities);
 * r.head().save(Path.of("projection.head"));
 * }</pre>
 *
 * <p><b>Thread safety.</b> Immutable; {@link #train} may run concurrently with itself.
 */
public final class ProjectionTrainer {
  private final int outputDimension;
  private final Mining mining;
  private final TripletLoss loss;
  private final int identitiesPerBatch;
  private final int perIdentity;
  private final double learningRate;
  private final int maxEpochs;
  private final int patience;
  private final double validationFraction;
  private final long seed;
  private final boolean principalStart;

  private ProjectionTrainer(Builder b) {
    this.outputDimension = b.outputDimension;
    this.mining = b.mining;
    this.loss = TripletLoss.withMargin(b.margin);
    this.identitiesPerBatch = b.identitiesPerBatch;
    this.perIdentity = b.perIdentity;
    this.learningRate = b.learningRate;
    this.maxEpochs = b.maxEpochs;
    this.patience = b.patience;
    this.validationFraction = b.validationFraction;
    this.seed = b.seed;
    this.principalStart = b.principalStart;
  }

  public static Builder builder(int outputDimension) {
    return new Builder(outputDimension);
  }

  /** One epoch of training: mean cost of its batches, held-out loss after it, triplets used. */
  public record Epoch(int epoch, double trainCost, double validationLoss, long triplets) {}

  /** The best head (lowest held-out loss), the loss curve, and the epoch the head comes from. */
  public record Result(ProjectionHead head, List<Epoch> history, int bestEpoch) {}

  /**
   * Trains on {@code embeddings} labelled by {@code identities}; identities with a single embedding
   * serve only as negatives.
   *
   * @param progress called with each finished epoch number, e.g. for a progress bar; may be null
   * @throws IllegalArgumentException if fewer than two identities have two or more embeddings
   */
  public Result train(
      String embedderId,
      List<Embedding> embeddings,
      List<String> identities,
      IntConsumer progress) {
    checkArgument(
        embeddings.size() == identities.size(),
        "%s embeddings but %s identities",
        embeddings.size(),
        identities.size());
    checkArgument(!embeddings.isEmpty(), "nothing to train on");
    int dIn = embeddings.get(0).dimension();
    Random random = new Random(seed);

    Map<String, List<float[]>> byIdentity = new LinkedHashMap<>();
    for (int i = 0; i < embeddings.size(); i++) {
      checkArgument(
          embeddings.get(i).dimension() == dIn,
          "embedding %s has dimension %s, not %s",
          i,
          embeddings.get(i).dimension(),
          dIn);
      byIdentity
          .computeIfAbsent(identities.get(i), k -> new ArrayList<>())
          .add(embeddings.get(i).toArray());
    }
    List<String> names = new ArrayList<>(byIdentity.keySet());
    Collections.shuffle(names, random);
    int held = (int) Math.round(names.size() * validationFraction);
    List<String> validation = names.subList(0, held);
    List<String> training = names.subList(held, names.size());
    List<String> trainable = training.stream().filter(n -> byIdentity.get(n).size() >= 2).toList();
    checkArgument(
        trainable.size() >= 2,
        "need at least two training identities with two or more embeddings, have %s",
        trainable.size());
    List<String> singles = training.stream().filter(n -> byIdentity.get(n).size() < 2).toList();
    float[][] validationX = stack(validation, byIdentity);
    int[] validationLabels = labels(validation, byIdentity);

    float[] w =
        principalStart
            ? principalRows(outputDimension, stack(training, byIdentity), random)
            : orthonormalRows(outputDimension, dIn, random);
    Adam adam = new Adam(w.length, learningRate);
    List<Epoch> history = new ArrayList<>();
    float[] best = w.clone();
    double bestLoss =
        heldOutLoss(
            ProjectionHead.of(embedderId, dIn, outputDimension, w), validationX, validationLabels);
    int bestEpoch = 0;
    for (int epoch = 1; epoch <= maxEpochs && epoch - bestEpoch <= patience; epoch++) {
      List<String> order = new ArrayList<>(trainable);
      Collections.shuffle(order, random);
      double costSum = 0;
      int batches = 0;
      long tripletCount = 0;
      for (int start = 0; start + 2 <= order.size(); start += identitiesPerBatch) {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        int label = 0;
        for (String name :
            order.subList(start, Math.min(order.size(), start + identitiesPerBatch))) {
          List<float[]> all = new ArrayList<>(byIdentity.get(name));
          Collections.shuffle(all, random);
          for (float[] x : all.subList(0, Math.min(perIdentity, all.size()))) {
            xs.add(x);
            ys.add(label);
          }
          label++;
        }
        // A few single-image people as extra negatives, as a real population has them.
        for (int s = 0; s < Math.min(identitiesPerBatch / 2, singles.size()); s++) {
          xs.add(byIdentity.get(singles.get(random.nextInt(singles.size()))).get(0));
          ys.add(label++);
        }
        float[][] x = xs.toArray(float[][]::new);
        int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
        float[][] z = new float[x.length][];
        float[][] out = new float[x.length][];
        ProjectionHead current = ProjectionHead.of(embedderId, dIn, outputDimension, w);
        for (int i = 0; i < x.length; i++) {
          z[i] = current.linear(x[i]);
          out[i] = normalised(z[i]);
        }
        List<Triplet> triplets = mining.mine(out, y, loss.margin(), random);
        if (triplets.isEmpty()) {
          continue;
        }
        float[][] gradOut = new float[x.length][outputDimension];
        costSum += loss.costAndGradient(out, triplets, true, gradOut);
        batches++;
        tripletCount += triplets.size();
        float[] gradW = new float[w.length];
        for (int i = 0; i < x.length; i++) {
          float[] gz = throughNormalisation(out[i], z[i], gradOut[i]);
          for (int o = 0; o < outputDimension; o++) {
            if (gz[o] == 0) {
              continue;
            }
            int row = o * dIn;
            for (int k = 0; k < dIn; k++) {
              gradW[row + k] += gz[o] * x[i][k];
            }
          }
        }
        adam.step(w, gradW);
      }
      double validationLoss =
          heldOutLoss(
              ProjectionHead.of(embedderId, dIn, outputDimension, w),
              validationX,
              validationLabels);
      history.add(
          new Epoch(epoch, batches == 0 ? 0 : costSum / batches, validationLoss, tripletCount));
      if (validationLoss < bestLoss) {
        bestLoss = validationLoss;
        best = w.clone();
        bestEpoch = epoch;
      }
      if (progress != null) {
        progress.accept(epoch);
      }
    }
    return new Result(
        ProjectionHead.of(embedderId, dIn, outputDimension, best), history, bestEpoch);
  }

  /**
   * The mean triplet loss over every (anchor, positive, negative) of a labelled set, easy ones
   * included: a fixed yardstick, independent of any mining strategy. 0 without triplets.
   */
  public double heldOutLoss(ProjectionHead head, float[][] x, int[] labels) {
    float[][] y = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      y[i] = head == null ? normalised(x[i]) : normalised(head.linear(x[i]));
    }
    return meanOverAllTriplets(y, labels, loss.margin());
  }

  static double meanOverAllTriplets(float[][] y, int[] labels, double margin) {
    int n = y.length;
    double[][] d = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[i][j] = d[j][i] = TripletLoss.squaredDistance(y[i], y[j]);
      }
    }
    double sum = 0;
    long count = 0;
    for (int a = 0; a < n; a++) {
      for (int p = 0; p < n; p++) {
        if (p == a || labels[p] != labels[a]) {
          continue;
        }
        for (int q = 0; q < n; q++) {
          if (labels[q] != labels[a]) {
            sum += Math.max(d[a][p] - d[a][q] + margin, 0);
            count++;
          }
        }
      }
    }
    return count == 0 ? 0 : sum / count;
  }

  /** The mean loss over all triplets of labelled embeddings, raw or through {@code head}. */
  public double heldOutLoss(
      ProjectionHead head, List<Embedding> embeddings, List<String> identities) {
    Map<String, Integer> ids = new HashMap<>();
    int[] labels = new int[identities.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = ids.computeIfAbsent(identities.get(i), k -> ids.size());
    }
    return heldOutLoss(
        head, embeddings.stream().map(Embedding::toArray).toArray(float[][]::new), labels);
  }

  /** dL/dz for y = z / |z|: (g − y (y·g)) / |z|. */
  static float[] throughNormalisation(float[] y, float[] z, float[] g) {
    double norm = 0;
    double dot = 0;
    for (int i = 0; i < z.length; i++) {
      norm += (double) z[i] * z[i];
      dot += (double) y[i] * g[i];
    }
    norm = Math.sqrt(norm);
    float[] gz = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      gz[i] = (float) ((g[i] - y[i] * dot) / norm);
    }
    return gz;
  }

  static float[] normalised(float[] z) {
    double s = 0;
    for (float v : z) {
      s += (double) v * v;
    }
    float inv = (float) (1 / Math.sqrt(Math.max(s, 1e-30)));
    float[] y = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      y[i] = z[i] * inv;
    }
    return y;
  }

  /**
   * The top principal directions of the (uncentred) training embeddings, by subspace iteration: the
   * linear map that keeps most of the embeddings' energy, so training starts from a projection that
   * already scores close to the raw embeddings.
   */
  static float[] principalRows(int rows, float[][] x, Random random) {
    int d = x[0].length;
    double[][] moment = new double[d][d];
    for (float[] v : x) {
      for (int i = 0; i < d; i++) {
        double vi = v[i];
        for (int j = i; j < d; j++) {
          moment[i][j] += vi * v[j];
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        moment[i][j] = moment[j][i];
      }
    }
    float[] q = orthonormalRows(rows, d, random);
    for (int iteration = 0; iteration < 30; iteration++) {
      double[][] next = new double[rows][d];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < d; i++) {
          double s = 0;
          double[] mi = moment[i];
          for (int j = 0; j < d; j++) {
            s += mi[j] * q[r * d + j];
          }
          next[r][i] = s;
        }
      }
      q = gramSchmidt(next);
    }
    return q;
  }

  private static float[] gramSchmidt(double[][] m) {
    int rows = m.length;
    int cols = m[0].length;
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < r; p++) {
        double dot = 0;
        for (int c = 0; c < cols; c++) {
          dot += m[r][c] * m[p][c];
        }
        for (int c = 0; c < cols; c++) {
          m[r][c] -= dot * m[p][c];
        }
      }
      double norm = 0;
      for (int c = 0; c < cols; c++) {
        norm += m[r][c] * m[r][c];
      }
      norm = Math.sqrt(norm);
      for (int c = 0; c < cols; c++) {
        m[r][c] /= norm;
      }
    }
    float[] w = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        w[r * cols + c] = (float) m[r][c];
      }
    }
    return w;
  }

  /** Random rows made orthonormal (Gram–Schmidt). */
  static float[] orthonormalRows(int rows, int cols, Random random) {
    checkArgument(rows <= cols, "cannot project %s dimensions to more (%s)", cols, rows);
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        m[r][c] = random.nextGaussian();
      }
    }
    return gramSchmidt(m);
  }

  private static float[][] stack(List<String> names, Map<String, List<float[]>> byIdentity) {
    return names.stream().flatMap(n -> byIdentity.get(n).stream()).toArray(float[][]::new);
  }

  private static int[] labels(List<String> names, Map<String, List<float[]>> byIdentity) {
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      for (int k = 0; k < byIdentity.get(names.get(i)).size(); k++) {
        labels.add(i);
      }
    }
    return labels.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Configures a trainer. Not thread-safe. */
  public static final class Builder {
    private final int outputDimension;
    private Mining mining = Mining.SEMI_HARD;
    private double margin = TripletLoss.DEFAULT_MARGIN;
    private int identitiesPerBatch = 32;
    private int perIdentity = 4;
    private double learningRate = 1e-3;
    private int maxEpochs = 40;
    private int patience = 5;
    private double validationFraction = 0.2;
    private long seed = 1;
    private boolean principalStart = true;

    private Builder(int outputDimension) {
      checkArgument(outputDimension > 0, "output dimension must be positive: %s", outputDimension);
      this.outputDimension = outputDimension;
    }

    public Builder mining(Mining mining) {
      this.mining = mining;
      return this;
    }

    public Builder margin(double margin) {
      this.margin = margin;
      return this;
    }

    /** P × K batches: {@code identities} people, up to {@code perIdentity} embeddings each. */
    public Builder batch(int identities, int perIdentity) {
      checkArgument(
          identities >= 2 && perIdentity >= 2,
          "need P >= 2 and K >= 2: %s, %s",
          identities,
          perIdentity);
      this.identitiesPerBatch = identities;
      this.perIdentity = perIdentity;
      return this;
    }

    /** Adam's step size; default 1e-3. */
    public Builder learningRate(double learningRate) {
      checkArgument(learningRate > 0, "learning rate must be positive: %s", learningRate);
      this.learningRate = learningRate;
      return this;
    }

    /** At most {@code maxEpochs}; stop after {@code patience} epochs without held-out progress. */
    public Builder epochs(int maxEpochs, int patience) {
      checkArgument(maxEpochs >= 1 && patience >= 1, "epochs and patience must be positive");
      this.maxEpochs = maxEpochs;
      this.patience = patience;
      return this;
    }

    /** Share of identities held out for early stopping; default 0.2. */
    public Builder validationFraction(double fraction) {
      checkArgument(
          fraction > 0 && fraction < 1, "validation fraction must be in (0, 1): %s", fraction);
      this.validationFraction = fraction;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Start from the training embeddings' principal directions (the default), or from random
     * orthonormal rows, so that triplet training has to find the projection by itself.
     */
    public Builder principalStart(boolean principalStart) {
      this.principalStart = principalStart;
      return this;
    }

    public ProjectionTrainer build() {
      return new ProjectionTrainer(this);
    }
  }
}
