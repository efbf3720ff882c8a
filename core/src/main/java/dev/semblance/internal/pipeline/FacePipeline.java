package dev.semblance.internal.pipeline;

import dev.semblance.Box;
import dev.semblance.ChannelOrder;
import dev.semblance.ModelException;
import dev.semblance.internal.geometry.SimilarityTransform;
import dev.semblance.internal.image.Resampler;
import dev.semblance.internal.image.RgbImage;
import dev.semblance.internal.pipeline.NonMaxSuppression.Scored;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The face pipeline behind {@link dev.semblance.Encoder}: detect → 68 landmarks → five points →
 * similarity alignment → embedding. Stateless apart from its sessions; safe for concurrent use.
 */
public final class FacePipeline {
  /** The ArcFace 112×112 five-point template: eyes, nose tip, mouth corners. */
  static final double[][] TEMPLATE_112 = {
    {38.2946, 51.6963},
    {73.5318, 51.5014},
    {56.0252, 71.7366},
    {41.5493, 92.3655},
    {70.7299, 92.2041}
  };

  static final int LANDMARK_SIZE = 64;

  /** Border added on each side, as a fraction of the image, when a first look finds no face. */
  static final double BORDER = 0.25;

  /** Detection thresholds and embedding options. */
  public record Settings(float minScore, float maxIou, boolean flipAveraging, int batchSize) {}

  /**
   * A detected face before embedding: raw box, score, 68 landmarks and the five alignment points.
   */
  public record Located(Box box, float score, double[][] landmarks, double[][] fivePoints) {}

  private final ModelSession detector;
  private final ModelSpec detectorSpec;
  private final ModelSession landmarker;
  private final ModelSession embedder;
  private final ModelSpec embedderSpec;
  private final Settings settings;
  private final int embeddingDimension;

  public FacePipeline(
      ModelSession detector,
      ModelSpec detectorSpec,
      ModelSession landmarker,
      ModelSession embedder,
      ModelSpec embedderSpec,
      Settings settings) {
    this.detector = detector;
    this.detectorSpec = detectorSpec;
    this.landmarker = landmarker;
    this.embedder = embedder;
    this.embedderSpec = embedderSpec;
    this.settings = settings;
    checkInput(detector, detectorSpec, 3);
    checkInput(landmarker, null, 1);
    checkInput(embedder, embedderSpec, 3);
    this.embeddingDimension = probeEmbeddingDimension();
  }

  public int embeddingDimension() {
    return embeddingDimension;
  }

  /** Every face in the image with its five points, best score first. */
  public List<Located> locate(RgbImage image) {
    return locate(image, detect(image));
  }

  /** The landmarks and five points of faces already detected, in order. */
  public List<Located> locate(RgbImage image, List<Scored> detected) {
    List<Located> faces = new ArrayList<>();
    for (Scored d : detected) {
      double[][] landmarks = landmarks68(image, d.box());
      faces.add(new Located(d.box(), d.score(), landmarks, fivePoints(landmarks)));
    }
    return faces;
  }

  /**
   * Raw (not normalised) embedding vectors of faces, and the length of each face's plain (not
   * mirrored) raw vector: the embedder's own evidence of quality.
   */
  public record Embedded(float[][] vectors, float[] norms) {}

  /** The raw embeddings of the given faces, in order. */
  public Embedded embed(RgbImage image, List<Located> faces) {
    return embedAll(List.of(image), List.of(faces));
  }

  /**
   * The raw embeddings of the faces of several images, image by image and face by face in order;
   * all faces share the embedder's batches.
   */
  public Embedded embedAll(List<RgbImage> images, List<List<Located>> faces) {
    List<float[]> inputs = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      for (Located f : faces.get(i)) {
        float[] input = alignedInput(images.get(i), f.fivePoints());
        inputs.add(input);
        if (settings.flipAveraging()) {
          inputs.add(mirrored(input, embedderSpec.inputWidth(), embedderSpec.inputHeight()));
        }
      }
    }
    float[][] raw = runEmbedder(inputs);
    int step = settings.flipAveraging() ? 2 : 1;
    float[] norms = new float[raw.length / step];
    for (int i = 0; i < norms.length; i++) {
      norms[i] = (float) norm(raw[step * i]);
    }
    if (!settings.flipAveraging()) {
      return new Embedded(raw, norms);
    }
    float[][] merged = new float[norms.length][];
    for (int i = 0; i < merged.length; i++) {
      merged[i] = sumOfUnitVectors(raw[2 * i], raw[2 * i + 1]);
    }
    return new Embedded(merged, norms);
  }

  // ---- detection ---------------------------------------------------------------------------

  /**
   * Faces in the image. When none is found, looks again with a black border around the image: the
   * detector misses faces that fill the whole frame (tight portrait crops), and the border shrinks
   * them into its range.
   */
  public List<Scored> detect(RgbImage image) {
    List<Scored> faces = detect(image, 0, 0, image.width(), image.height());
    if (faces.isEmpty()) {
      double padX = image.width() * BORDER;
      double padY = image.height() * BORDER;
      faces = detect(image, -padX, -padY, image.width() + 2 * padX, image.height() + 2 * padY);
    }
    return faces;
  }

  /**
   * Detects faces in the region {@code [x0, x0 + w) × [y0, y0 + h)}; outside the image is black.
   */
  private List<Scored> detect(RgbImage image, double x0, double y0, double w, double h) {
    int inW = detectorSpec.inputWidth();
    int inH = detectorSpec.inputHeight();
    boolean whole = x0 == 0 && y0 == 0 && w == image.width() && h == image.height();
    float[] rgb = Resampler.resize(image, x0, y0, w, h, inW, inH, whole);
    Map<String, Tensor> out =
        detector.run(
            new Tensor(
                planes(
                    rgb,
                    inW,
                    inH,
                    detectorSpec.channelOrder(),
                    detectorSpec.mean(),
                    detectorSpec.std()),
                new long[] {1, 3, inH, inW}));
    Tensor scores = outputWithLastDim(out, 2, "scores");
    Tensor boxes = outputWithLastDim(out, 4, "boxes");
    int n = scores.data().length / 2;
    if (boxes.data().length != 4 * n) {
      throw new ModelException(
          "detector returned " + n + " scores but " + boxes.data().length / 4 + " boxes");
    }
    List<Scored> candidates = new ArrayList<>();
    float[] b = boxes.data();
    for (int i = 0; i < n; i++) {
      float score = scores.data()[2 * i + 1];
      if (score >= settings.minScore()) {
        candidates.add(
            new Scored(
                new Box(
                    (float) (x0 + b[4 * i] * w), (float) (y0 + b[4 * i + 1] * h),
                    (float) (x0 + b[4 * i + 2] * w), (float) (y0 + b[4 * i + 3] * h)),
                score));
      }
    }
    return NonMaxSuppression.apply(candidates, settings.maxIou()).stream()
        .filter(s -> s.box().width() > 1 && s.box().height() > 1)
        .toList();
  }

  private static Tensor outputWithLastDim(Map<String, Tensor> outputs, int lastDim, String name) {
    Tensor byName = outputs.get(name);
    if (byName != null) {
      return byName;
    }
    return outputs.values().stream()
        .filter(t -> t.shape().length > 0 && t.shape()[t.shape().length - 1] == lastDim)
        .findFirst()
        .orElseThrow(
            () ->
                new ModelException(
                    "detector has no '"
                        + name
                        + "' output (an output "
                        + "whose last dimension is "
                        + lastDim
                        + "); outputs: "
                        + outputs));
  }

  // ---- landmarks ---------------------------------------------------------------------------

  /** The 68 landmarks of the face in {@code box}, as {x, y} image coordinates. */
  double[][] landmarks68(RgbImage image, Box box) {
    // The landmark model was trained on square crops as tall as the detector's box.
    double side = box.height();
    double x1 = (box.left() + box.right()) / 2.0 - side / 2.0;
    double y1 = box.top();
    float[] rgb = Resampler.resize(image, x1, y1, side, side, LANDMARK_SIZE, LANDMARK_SIZE, false);
    float[] grey = new float[LANDMARK_SIZE * LANDMARK_SIZE];
    for (int i = 0; i < grey.length; i++) {
      // Plain 0..1 scaling; ±1 normalisation ruins this model's accuracy.
      grey[i] = (0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2]) / 256f;
    }
    float[] out =
        Batches.single(
            landmarker.run(new Tensor(grey, new long[] {1, 1, LANDMARK_SIZE, LANDMARK_SIZE})),
            "landmark");
    if (out.length != 136) {
      throw new ModelException("landmark model returned " + out.length + " values, expected 136");
    }
    double[][] points = new double[68][];
    for (int i = 0; i < 68; i++) {
      points[i] = new double[] {out[2 * i] * side + x1, out[2 * i + 1] * side + y1};
    }
    return points;
  }

  /** Eyes (mean of four lid points), nose tip, mouth corners (mean of outer and inner lip). */
  static double[][] fivePoints(double[][] p) {
    return new double[][] {
      mean(p, 37, 38, 40, 41),
      mean(p, 43, 44, 46, 47),
      p[30].clone(),
      mean(p, 48, 60),
      mean(p, 54, 64)
    };
  }

  private static double[] mean(double[][] points, int... indices) {
    double x = 0, y = 0;
    for (int i : indices) {
      x += points[i][0];
      y += points[i][1];
    }
    return new double[] {x / indices.length, y / indices.length};
  }

  // ---- alignment and embedding -------------------------------------------------------------

  /** The embedder's input for one face: aligned, in its channel order, normalised. */
  float[] alignedInput(RgbImage image, double[][] five) {
    int w = embedderSpec.inputWidth();
    int h = embedderSpec.inputHeight();
    float[] rgb = align(image, five, w, h);
    return planes(rgb, w, h, embedderSpec.channelOrder(), embedderSpec.mean(), embedderSpec.std());
  }

  /** Warps the face so that its five points land on the template scaled to {@code w × h}. */
  public static float[] align(RgbImage image, double[][] five, int w, int h) {
    double[][] template = new double[5][];
    for (int i = 0; i < 5; i++) {
      template[i] = new double[] {TEMPLATE_112[i][0] * w / 112.0, TEMPLATE_112[i][1] * h / 112.0};
    }
    SimilarityTransform toSource = SimilarityTransform.estimate(five, template).inverse();
    return Resampler.affine(
        image,
        toSource.a(),
        -toSource.b(),
        toSource.tx(),
        toSource.b(),
        toSource.a(),
        toSource.ty(),
        w,
        h,
        false);
  }

  private float[][] runEmbedder(List<float[]> inputs) {
    int w = embedderSpec.inputWidth();
    int h = embedderSpec.inputHeight();
    List<Map<String, Tensor>> outputs =
        Batches.run(embedder, inputs, 3, h, w, settings.batchSize());
    float[][] result = new float[inputs.size()][];
    for (int i = 0; i < result.length; i++) {
      result[i] = Batches.single(outputs.get(i), "embedding");
    }
    return result;
  }

  private int probeEmbeddingDimension() {
    int per = 3 * embedderSpec.inputWidth() * embedderSpec.inputHeight();
    return runEmbedderOnce(new float[per]).length;
  }

  private float[] runEmbedderOnce(float[] input) {
    return Batches.single(
        embedder.run(
            new Tensor(
                input, new long[] {1, 3, embedderSpec.inputHeight(), embedderSpec.inputWidth()})),
        "embedding");
  }

  static float[] planes(float[] rgb, int w, int h, ChannelOrder order, float mean, float std) {
    int area = w * h;
    float[] out = new float[3 * area];
    float inv = 1f / std;
    for (int c = 0; c < 3; c++) {
      int src = order == ChannelOrder.RGB ? c : 2 - c;
      int base = c * area;
      for (int i = 0; i < area; i++) {
        out[base + i] = (rgb[3 * i + src] - mean) * inv;
      }
    }
    return out;
  }

  static float[] mirrored(float[] planes, int w, int h) {
    float[] out = new float[planes.length];
    for (int row = 0; row < planes.length / w; row++) {
      int base = row * w;
      for (int x = 0; x < w; x++) {
        out[base + x] = planes[base + w - 1 - x];
      }
    }
    return out;
  }

  private static float[] sumOfUnitVectors(float[] a, float[] b) {
    double na = norm(a), nb = norm(b);
    float[] sum = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      sum[i] = (float) (a[i] / na + b[i] / nb);
    }
    return sum;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  private static void checkInput(ModelSession session, ModelSpec spec, int channels) {
    long[] shape = session.inputShape();
    boolean ok = shape.length == 4 && (shape[1] == channels || shape[1] < 0);
    if (ok && spec != null) {
      ok =
          (shape[2] < 0 || shape[2] == spec.inputHeight())
              && (shape[3] < 0 || shape[3] == spec.inputWidth());
    }
    if (!ok) {
      String declared =
          spec == null ? "" : " (declared " + spec.inputWidth() + "x" + spec.inputHeight() + ")";
      throw new ModelException(
          "model input "
              + Arrays.toString(shape)
              + " does not match the expected [N, "
              + channels
              + ", H, W]"
              + declared
              + (spec == null ? "" : " for " + spec.description()));
    }
  }

  public void close() {
    detector.close();
    landmarker.close();
    embedder.close();
  }
}
