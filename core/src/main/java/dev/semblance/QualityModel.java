package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.io.DurableFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The overall quality score of one embedder's faces: {@code σ(intercept + Σ weight·feature)}, the
 * probability that a comparison of the face with another photo of the same person of equal quality
 * is not among the poorest tenth of genuine comparisons. The features include the embedder's raw
 * output norm, so a model holds for the embedder it was fitted on only: an {@link Encoder} of an
 * embedder without one reports no overall score ({@link FaceQuality#score()} is NaN) rather than a
 * wrong one.
 *
 * <p>The bundled embedder's model was fitted by {@code bin/semblance evaluate quality --fit} on LFW
 * {@code pairsDevTrain} images and blurred or low-resolution copies of half of them; the features
 * were chosen by cross-validation over people (docs/quality.md): the embedding's norm, the eye
 * state and the sharpness predict errors; size, exposure, pose and the detector's score added
 * nothing beyond them, so their weights are zero. The fit writes the model file ({@link #save}),
 * which ships as a resource.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class QualityModel {
  /** What each feature is, in the order of {@link #features}. */
  public static final List<String> FEATURE_NAMES =
      List.of(
          "log inter-ocular px",
          "log(1 + sharpness)",
          "|brightness - 0.5|",
          "contrast",
          "|yaw| / 45",
          "(|yaw| / 45)^2",
          "|pitch| / 45",
          "|roll| / 45",
          "min eye open",
          "detector score",
          "embedding norm");

  private static final String MAGIC = "# Semblance quality model";
  private static final int FORMAT = 1;
  private static final String BUNDLED = "/dev/semblance/quality/faceplugin-fr_feature.txt";

  private final String embedderId;
  private final double intercept;
  private final double[] weights;

  private QualityModel(String embedderId, double intercept, double[] weights) {
    checkArgument(
        !embedderId.isBlank() && !embedderId.contains("\n"), "bad embedder id: %s", embedderId);
    checkArgument(
        weights.length == FEATURE_NAMES.size(),
        "a quality model has %s weights, not %s",
        FEATURE_NAMES.size(),
        weights.length);
    checkArgument(Double.isFinite(intercept), "the intercept must be finite");
    for (double w : weights) {
      checkArgument(Double.isFinite(w), "weights must be finite");
    }
    this.embedderId = embedderId;
    this.intercept = intercept;
    this.weights = weights;
  }

  /**
   * A model of the given coefficients, one weight per {@linkplain #FEATURE_NAMES feature}.
   *
   * @throws IllegalArgumentException if the id is blank, a value is not finite, or the count of
   *     weights is wrong
   */
  public static QualityModel of(String embedderId, double intercept, double[] weights) {
    return new QualityModel(Objects.requireNonNull(embedderId), intercept, weights.clone());
  }

  /** The model that ships for {@code embedderId}, if one does. */
  public static Optional<QualityModel> forEmbedder(String embedderId) {
    QualityModel bundled = BundledHolder.MODEL;
    return bundled.embedderId.equals(embedderId) ? Optional.of(bundled) : Optional.empty();
  }

  /** Reads the bundled model once, on first use. */
  private static final class BundledHolder {
    static final QualityModel MODEL = readBundled();
  }

  private static QualityModel readBundled() {
    // Class-relative lookup: the resource lives in this module, which does not open the package.
    try (InputStream in = QualityModel.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("the bundled quality model is missing: " + BUNDLED);
      }
      return read(in, BUNDLED);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a model that {@link #save} wrote.
   *
   * @throws CorruptFileException if it is not a quality model, of another format, or damaged
   * @throws UncheckedIOException if it cannot be read
   */
  public static QualityModel load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
  }

  private static QualityModel read(InputStream in, String source) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    if (!MAGIC.equals(reader.readLine())) {
      throw new CorruptFileException("not a Semblance quality model: " + source);
    }
    String embedder = null;
    Double intercept = null;
    double[] weights = new double[FEATURE_NAMES.size()];
    int format = -1, seen = 0;
    for (String line; (line = reader.readLine()) != null; ) {
      String[] f = line.split("\t");
      try {
        switch (f[0]) {
          case "format" -> format = Integer.parseInt(f[1]);
          case "embedder" -> embedder = f[1];
          case "intercept" -> intercept = Double.parseDouble(f[1]);
          case "weight" -> {
            int k = FEATURE_NAMES.indexOf(f[1]);
            if (k < 0 || k != seen) {
              throw new CorruptFileException(
                  source + ": feature '" + f[1] + "' is not feature " + seen + " of this version");
            }
            weights[seen++] = Double.parseDouble(f[2]);
          }
          default -> {
            if (!line.isBlank() && !line.startsWith("#")) {
              throw new CorruptFileException(source + ": unexpected line '" + line + "'");
            }
          }
        }
      } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
        throw new CorruptFileException(source + ": malformed line '" + line + "'", e);
      }
    }
    if (format != FORMAT) {
      throw new CorruptFileException(
          source + " has quality model format " + format + "; this version reads " + FORMAT);
    }
    if (embedder == null || intercept == null || seen != weights.length) {
      throw new CorruptFileException(source + " lacks its embedder, intercept or weights");
    }
    try {
      return new QualityModel(embedder, intercept, weights);
    } catch (IllegalArgumentException e) {
      throw new CorruptFileException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the model durably, in the text format that ships as a resource.
   *
   * @param description how it was fitted, for people reading the file (one line)
   * @throws UncheckedIOException if the file cannot be written; an old file stays intact
   */
  public void save(Path file, String description) {
    DurableFiles.replace(
        file,
        out -> {
          Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          w.write(MAGIC + "\n");
          w.write("# " + description.replace('\n', ' ') + "\n");
          w.write("format\t" + FORMAT + "\n");
          w.write("embedder\t" + embedderId + "\n");
          w.write(String.format(Locale.ROOT, "intercept\t%.6f%n", intercept));
          for (int k = 0; k < weights.length; k++) {
            w.write(
                String.format(Locale.ROOT, "weight\t%s\t%.6f%n", FEATURE_NAMES.get(k), weights[k]));
          }
          w.flush();
        });
  }

  public String embedderId() {
    return embedderId;
  }

  public double intercept() {
    return intercept;
  }

  /** One weight per {@linkplain #FEATURE_NAMES feature}; a copy. */
  public double[] weights() {
    return weights.clone();
  }

  /** The features of one face, as the fit saw them. */
  public static double[] features(FaceQuality q, float detectorScore) {
    double yaw = Math.abs(q.yaw()) / 45;
    return new double[] {
      Math.log(Math.max(1, q.interOcularDistance())),
      Math.log1p(Math.max(0, q.sharpness())),
      Math.abs(q.brightness() - 0.5),
      q.contrast(),
      yaw,
      yaw * yaw,
      Math.abs(q.pitch()) / 45,
      Math.abs(q.roll()) / 45,
      Math.min(q.leftEyeOpen(), q.rightEyeOpen()),
      detectorScore,
      q.embeddingNorm()
    };
  }

  /** The overall score in [0, 1] of a face with these components and detector score. */
  public float score(FaceQuality components, float detectorScore) {
    double[] f = features(components, detectorScore);
    double s = intercept;
    for (int i = 0; i < f.length; i++) {
      s += weights[i] * f[i];
    }
    return (float) (1 / (1 + Math.exp(-s)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QualityModel m
        && embedderId.equals(m.embedderId)
        && intercept == m.intercept
        && Arrays.equals(weights, m.weights);
  }

  @Override
  public int hashCode() {
    return Objects.hash(embedderId, intercept) * 31 + Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    List<String> terms = new ArrayList<>();
    for (int k = 0; k < weights.length; k++) {
      if (weights[k] != 0) {
        terms.add(String.format(Locale.ROOT, "%.3f·%s", weights[k], FEATURE_NAMES.get(k)));
      }
    }
    return String.format(
        Locale.ROOT,
        "QualityModel[%s: σ(%.3f + %s)]",
        embedderId,
        intercept,
        String.join(" + ", terms));
  }
}
