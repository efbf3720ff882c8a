package dev.semblance.internal.pipeline;

import dev.semblance.Box;
import dev.semblance.ChannelOrder;
import dev.semblance.FaceQuality;
import dev.semblance.Liveness;
import dev.semblance.ModelException;
import dev.semblance.QualityModel;
import dev.semblance.internal.image.Resampler;
import dev.semblance.internal.image.RgbImage;
import dev.semblance.internal.pipeline.FacePipeline.Located;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Quality and liveness of located faces, from the bundled pose, eye and anti-spoofing models and
 * from the aligned crop. Each preprocessing choice below was checked on LFW {@code pairsDevTrain}
 * images (docs/quality.md), not taken from the models' JavaScript on trust. Stateless apart from
 * its sessions, either of which may be absent; safe for concurrent use.
 */
public final class FaceAnalysis {
  public static final ModelSpec POSE =
      bundled("fr_pose", "72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d", 224);
  public static final ModelSpec EYE =
      bundled("fr_eye", "1afcea006abc1ccac3c517022abde0aa092bed74ff3c9fe6878483ef9e6e38de", 24);
  public static final ModelSpec LIVENESS =
      bundled(
          "fr_liveness", "afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d", 128);

  private static final int POSE_SIZE = 224, EYE_SIZE = 24, LIVENESS_SIZE = 128, ALIGNED = 112;
  private static final int POSE_BINS = 66;
  private static final int BATCH = 16;

  /** ImageNet statistics, in 0..255, that the pose model was trained with (RGB planes). */
  private static final float[] IMAGENET_MEAN = {123.675f, 116.28f, 103.53f},
      IMAGENET_STD = {58.395f, 57.12f, 57.375f};

  /** The liveness crop: the box enlarged 2.7 times about its centre, as the model was trained. */
  private static final double LIVENESS_SCALE = 2.7;

  /** The eye crop: a square 1.6 eye widths wide about the centre of the four lid points. */
  private static final double EYE_SCALE = 1.6;

  private final QualityModel qualityModel;
  private final ModelSession pose; // with eye: null when quality was not asked for
  private final ModelSession eye;
  private final ModelSession liveness; // null when liveness was not asked for
  private final float livenessThreshold;

  /**
   * @param qualityModel the embedder's overall score, or null when it has none (the score is then
   *     NaN)
   */
  public FaceAnalysis(
      ModelSession pose,
      ModelSession eye,
      ModelSession liveness,
      float livenessThreshold,
      QualityModel qualityModel) {
    this.qualityModel = qualityModel;
    this.pose = pose;
    this.eye = eye;
    this.liveness = liveness;
    this.livenessThreshold = livenessThreshold;
  }

  public boolean measuresQuality() {
    return pose != null;
  }

  public boolean measuresLiveness() {
    return liveness != null;
  }

  private static ModelSpec bundled(String name, String sha256, int size) {
    return new ModelSpec(
        "dev/semblance/models/" + name + ".onnx", null, sha256, size, size, ChannelOrder.RGB, 0, 1);
  }

  // ---- quality -----------------------------------------------------------------------------

  /**
   * The quality of each face of one image.
   *
   * @param norms the embedder's raw output length for each face
   */
  public List<FaceQuality> quality(RgbImage image, List<Located> faces, float[] norms) {
    List<float[]> poseInputs = new ArrayList<>(faces.size());
    List<float[]> eyeInputs = new ArrayList<>(2 * faces.size());
    for (Located f : faces) {
      poseInputs.add(poseInput(image, f.box()));
      eyeInputs.add(eyeInput(image, f.landmarks(), 36, 39, 37, 38, 40, 41));
      eyeInputs.add(eyeInput(image, f.landmarks(), 42, 45, 43, 44, 46, 47));
    }
    List<Map<String, Tensor>> poses = Batches.run(pose, poseInputs, 3, POSE_SIZE, POSE_SIZE, BATCH);
    List<Map<String, Tensor>> eyes = Batches.run(eye, eyeInputs, 1, EYE_SIZE, EYE_SIZE, BATCH);
    List<FaceQuality> result = new ArrayList<>(faces.size());
    for (int i = 0; i < faces.size(); i++) {
      Located f = faces.get(i);
      double[] angles = angles(poses.get(i));
      float[] grey = alignedGrey(image, f.fivePoints());
      double[] five = f.fivePoints()[0];
      double[] right = f.fivePoints()[1];
      FaceQuality components =
          new FaceQuality(
              (float) Math.hypot(right[0] - five[0], right[1] - five[1]),
              (float) laplacianVariance(grey),
              (float) (mean(grey) / 255),
              (float) (Math.sqrt(variance(grey)) / 255),
              (float) angles[0],
              (float) angles[1],
              (float) angles[2],
              openProbability(eyes.get(2 * i)),
              openProbability(eyes.get(2 * i + 1)),
              norms[i],
              0f);
      float score = qualityModel == null ? Float.NaN : qualityModel.score(components, f.score());
      result.add(withScore(components, score));
    }
    return result;
  }

  private static FaceQuality withScore(FaceQuality q, float score) {
    return new FaceQuality(
        q.interOcularDistance(),
        q.sharpness(),
        q.brightness(),
        q.contrast(),
        q.yaw(),
        q.pitch(),
        q.roll(),
        q.leftEyeOpen(),
        q.rightEyeOpen(),
        q.embeddingNorm(),
        score);
  }

  /**
   * The box enlarged by half (a quarter of its size on each side), resized to 224×224, RGB with
   * ImageNet normalisation. Checked on data: this crop gives yaw that agrees with the mirrored
   * image's (r = 0.96) and with the landmark geometry; a square crop or BGR planes agree far less.
   */
  private static float[] poseInput(RgbImage image, Box b) {
    float[] rgb =
        Resampler.resize(
            image,
            b.left() - b.width() / 4.0,
            b.top() - b.height() / 4.0,
            b.width() * 1.5,
            b.height() * 1.5,
            POSE_SIZE,
            POSE_SIZE,
            true);
    return planes(rgb, POSE_SIZE * POSE_SIZE, ChannelOrder.RGB, IMAGENET_MEAN, IMAGENET_STD);
  }

  /** Yaw, pitch and roll: the expectation over each output's 66 bins of 3°, from −99°. */
  private static double[] angles(Map<String, Tensor> outputs) {
    if (outputs.size() != 3) {
      throw new ModelException("pose model returned " + outputs.keySet() + ", expected 3 outputs");
    }
    // The graph's outputs are yaw ("output"), pitch and roll, in the graph's order.
    double[] angles = new double[3];
    int axis = 0;
    for (Tensor t : outputs.values()) {
      float[] logits = t.data();
      if (logits.length != POSE_BINS) {
        throw new ModelException("pose output has " + logits.length + " bins, expected 66");
      }
      double[] p = softmax(logits);
      double expected = 0;
      for (int k = 0; k < POSE_BINS; k++) {
        expected += p[k] * k;
      }
      angles[axis++] = expected * 3 - 99;
    }
    return angles;
  }

  private static float[] eyeInput(
      RgbImage image, double[][] l68, int corner0, int corner1, int... lid) {
    double cx = 0, cy = 0;
    for (int k : lid) {
      cx += l68[k][0] / lid.length;
      cy += l68[k][1] / lid.length;
    }
    double size =
        Math.max(
            2,
            Math.hypot(l68[corner1][0] - l68[corner0][0], l68[corner1][1] - l68[corner0][1])
                * EYE_SCALE);
    float[] rgb =
        Resampler.resize(image, cx - size / 2, cy - size / 2, size, size, EYE_SIZE, EYE_SIZE, true);
    float[] grey = grey(rgb);
    for (int i = 0; i < grey.length; i++) {
      grey[i] /= 255f;
    }
    return grey;
  }

  /**
   * Output 1 is "open": on LFW, where most eyes are open, it dominates (88% of eyes), and it falls
   * as the lids close (it correlates with the landmarks' eye aspect ratio).
   */
  private static float openProbability(Map<String, Tensor> outputs) {
    float[] logits = Batches.single(outputs, "eye");
    if (logits.length != 2) {
      throw new ModelException("eye model returned " + logits.length + " values, expected 2");
    }
    return (float) softmax(logits)[1];
  }

  private static float[] alignedGrey(RgbImage image, double[][] five) {
    return grey(FacePipeline.align(image, five, ALIGNED, ALIGNED));
  }

  // The face's interior in the aligned crop (brows to chin, cheek to cheek): no black border, no
  // background.
  private static final int X0 = 20, X1 = 92, Y0 = 28, Y1 = 108;

  private static double mean(float[] grey) {
    double s = 0;
    for (int y = Y0; y < Y1; y++) {
      for (int x = X0; x < X1; x++) {
        s += grey[y * ALIGNED + x];
      }
    }
    return s / ((X1 - X0) * (Y1 - Y0));
  }

  private static double variance(float[] grey) {
    double m = mean(grey), s = 0;
    for (int y = Y0; y < Y1; y++) {
      for (int x = X0; x < X1; x++) {
        double d = grey[y * ALIGNED + x] - m;
        s += d * d;
      }
    }
    return s / ((X1 - X0) * (Y1 - Y0));
  }

  /** Variance of the 4-neighbour Laplacian over the face's interior: low when blurred. */
  static double laplacianVariance(float[] grey) {
    double sum = 0, sumSq = 0;
    int n = 0;
    for (int y = Y0; y < Y1; y++) {
      for (int x = X0; x < X1; x++) {
        int i = y * ALIGNED + x;
        double lap =
            grey[i - 1] + grey[i + 1] + grey[i - ALIGNED] + grey[i + ALIGNED] - 4 * grey[i];
        sum += lap;
        sumSq += lap * lap;
        n++;
      }
    }
    double m = sum / n;
    return sumSq / n - m * m;
  }

  // ---- liveness ----------------------------------------------------------------------------

  /** The liveness of each face of one image. */
  public List<Liveness> liveness(RgbImage image, List<Located> faces) {
    List<float[]> inputs = new ArrayList<>(faces.size());
    for (Located f : faces) {
      inputs.add(livenessInput(image, f.box()));
    }
    List<Liveness> result = new ArrayList<>(faces.size());
    for (Map<String, Tensor> out :
        Batches.run(liveness, inputs, 3, LIVENESS_SIZE, LIVENESS_SIZE, BATCH)) {
      float[] logits = Batches.single(out, "liveness");
      if (logits.length != 3) {
        throw new ModelException(
            "liveness model returned " + logits.length + " values, expected 3");
      }
      // Class 0 is bona fide: measured, on real photos against attack-like copies of them.
      result.add(new Liveness((float) softmax(logits)[0], livenessThreshold));
    }
    return result;
  }

  /**
   * The box enlarged 2.7 times (less when the image is too small), moved inside the image, resized
   * to 128×128; BGR planes of raw 0..255 values. Checked on data: BGR separates real photos from
   * attack-like copies far better than RGB (AUC 0.96 against 0.85), and scaling to [0, 1] makes the
   * model blind (AUC 0.5).
   */
  private static float[] livenessInput(RgbImage image, Box b) {
    double scale =
        Math.min(
            LIVENESS_SCALE,
            Math.min((image.height() - 1) / b.height(), (image.width() - 1) / b.width()));
    double w = b.width() * scale, h = b.height() * scale;
    double x0 = Math.max(0, Math.min(b.center().x() - w / 2, image.width() - 1 - w));
    double y0 = Math.max(0, Math.min(b.center().y() - h / 2, image.height() - 1 - h));
    float[] rgb = Resampler.resize(image, x0, y0, w, h, LIVENESS_SIZE, LIVENESS_SIZE, true);
    float[] zero = {0, 0, 0}, one = {1, 1, 1};
    return planes(rgb, LIVENESS_SIZE * LIVENESS_SIZE, ChannelOrder.BGR, zero, one);
  }

  // ---- shared ------------------------------------------------------------------------------

  private static float[] planes(
      float[] rgb, int area, ChannelOrder order, float[] mean, float[] std) {
    float[] out = new float[3 * area];
    for (int c = 0; c < 3; c++) {
      int src = order == ChannelOrder.RGB ? c : 2 - c;
      for (int i = 0; i < area; i++) {
        out[c * area + i] = (rgb[3 * i + src] - mean[src]) / std[src];
      }
    }
    return out;
  }

  private static float[] grey(float[] rgb) {
    float[] grey = new float[rgb.length / 3];
    for (int i = 0; i < grey.length; i++) {
      grey[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
    }
    return grey;
  }

  private static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  public void close() {
    for (ModelSession s : Arrays.asList(pose, eye, liveness)) {
      if (s != null) {
        s.close();
      }
    }
  }
}
