package dev.semblance.examples;

import static dev.semblance.examples.VerificationFigures.fmt;

import dev.semblance.Encoder;
import dev.semblance.FaceQuality;
import dev.semblance.QualityModel;
import dev.semblance.evaluation.ErrorVersusReject;
import dev.semblance.evaluation.Scores;
import dev.semblance.examples.QualityCache.Measured;
import dev.semblance.io.DurableFiles;
import dev.semblance.learning.QualityFit;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "quality",
    description = {
      "Error versus reject, as NIST's face image quality evaluation measures it: fix the"
          + " threshold at a false match rate on the training images' impostor comparisons, then"
          + " discard the lowest-quality x% of test images (x = 0..20) and report the false"
          + " non-match rate of the genuine comparisons left, for the overall score, each"
          + " component alone and random rejection. --fit fits the overall score on the training"
          + " images instead."
    })
final class EvaluateQualityCommand implements Callable<Integer> {
  @Option(names = "--people", required = true, paramLabel = "DIR", description = "LFW images.")
  Path people;

  @Option(
      names = "--train",
      required = true,
      paramLabel = "FILE",
      description = "Pairs file whose images set the threshold and fit the score (pairsDevTrain).")
  Path train;

  @Option(
      names = "--test",
      paramLabel = "FILE",
      description = "Pairs file whose images are evaluated (pairsDevTest); default: --train.")
  Path test;

  @Option(
      names = "--fmr",
      defaultValue = "1e-3",
      description = "False match rate of the fixed threshold (default ${DEFAULT-VALUE}).")
  double fmr;

  @Option(
      names = "--fit",
      description =
          "Fit the overall score on the --train images; the model is written to"
              + " quality-model.txt in the report folder.")
  boolean fit;

  @Option(
      names = "--degrade",
      defaultValue = "0.5",
      paramLabel = "SHARE",
      description =
          "With --fit: add a blurred or low-resolution copy of this share of the training images"
              + " (default ${DEFAULT-VALUE}).")
  double degradeShare;

  @Option(
      names = "--features",
      split = ",",
      defaultValue = "1,8,10",
      paramLabel = "N",
      description = {
        "With --fit: the features the score may use, by number (default ${DEFAULT-VALUE}, chosen"
            + " by cross-validation on pairsDevTrain): 0 log inter-ocular distance, 1 log(1 +"
            + " sharpness), 2 |brightness - 0.5|, 3 contrast, 4 |yaw|/45, 5 (|yaw|/45)², 6"
            + " |pitch|/45, 7 |roll|/45, 8 the less open eye, 9 detector score, 10 embedding norm."
      })
  Set<Integer> features;

  @Mixin Cli.ReportDirOption outDir;
  @Mixin Cli.EncoderOptions encoderOptions;

  static final double[] REJECTED = new double[21]; // 0, 1, ..., 20 %

  static {
    for (int i = 0; i < REJECTED.length; i++) {
      REJECTED[i] = i / 100.0;
    }
  }

  /** A quality measure: higher is better. */
  record Measure(String name, ToDoubleFunction<Measured> quality) {}

  static final List<Measure> MEASURES =
      List.of(
          new Measure("overall score", m -> m.quality().score()),
          new Measure("inter-ocular distance", m -> m.quality().interOcularDistance()),
          new Measure("sharpness", m -> m.quality().sharpness()),
          new Measure(
              "exposure (-|brightness - 0.5|)", m -> -Math.abs(m.quality().brightness() - 0.5)),
          new Measure("contrast", m -> m.quality().contrast()),
          new Measure("-|yaw|", m -> -Math.abs(m.quality().yaw())),
          new Measure("-|pitch|", m -> -Math.abs(m.quality().pitch())),
          new Measure("-|roll|", m -> -Math.abs(m.quality().roll())),
          new Measure(
              "eyes open (min)",
              m -> Math.min(m.quality().leftEyeOpen(), m.quality().rightEyeOpen())),
          new Measure("detector score", Measured::detectorScore),
          new Measure("embedding norm", m -> m.quality().embeddingNorm()));

  /** One measure's curve: FNMR after rejecting each share of images. */
  record Curve(
      String measure, double[] fnmr, int[] falseNonMatches, double area, double removedAtFive) {}

  /** Everything measured; report.json is this record. */
  record Figures(
      int trainImages,
      int testImages,
      double fmr,
      double threshold,
      int genuinePairs,
      int falseNonMatchesAtZero,
      List<Curve> curves,
      Sanity sanity,
      Map<String, Object> fitted) {}

  /**
   * How the components are distributed over every measured image (percentiles 1, 5, 25, 50, 75, 95,
   * 99), and how the pose model's yaw agrees with the landmark geometry.
   */
  record Sanity(
      int images,
      Map<String, double[]> percentiles,
      double bothEyesOpen,
      double yawVersusNoseOffsetCorrelation,
      double degreesPerHalfEyeDistance) {}

  static final double[] PERCENTILES = {1, 5, 25, 50, 75, 95, 99};

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(outDir.dir);
    PairsFile trainPairs = PairsFile.read(train, people);
    PairsFile testPairs = test == null ? trainPairs : PairsFile.read(test, people);
    List<Path> trainImages = trainPairs.images();
    List<Path> testImages = testPairs.images();
    List<Path> all = new ArrayList<>(new LinkedHashSet<>(concat(trainImages, testImages)));
    List<Path> degraded = fit ? degradedCopies(trainImages) : List.of();
    all.addAll(degraded);
    Map<Path, Measured> measured;
    String embedderId;
    try (Encoder encoder = encoderOptions.open(true, true)) {
      measured = QualityCache.measure(encoder, all, outDir.dir.resolve("faces.tsv"));
      embedderId = encoder.embedderId();
    }
    double threshold = thresholdAtFmr(present(trainImages, measured), measured, fmr);
    Map<String, Object> fitted = new LinkedHashMap<>();
    List<Path> evaluated =
        fit ? present(concat(trainImages, degraded), measured) : present(testImages, measured);
    List<Measure> measures = new ArrayList<>(MEASURES);
    if (fit) {
      fitted = crossValidate(evaluated, measured, threshold, features);
      QualityFit.Model model = fit(evaluated, measured, threshold, features);
      Map<String, Double> weights = new LinkedHashMap<>();
      for (int k = 0; k < model.weights().length; k++) {
        weights.put(QualityModel.FEATURE_NAMES.get(k), model.weights()[k]);
      }
      fitted.put("intercept", model.intercept());
      fitted.put("weights", weights);
      Path modelFile = outDir.dir.resolve("quality-model.txt");
      QualityModel.of(embedderId, model.intercept(), model.weights())
          .save(
              modelFile,
              "fitted by `semblance evaluate quality --fit` on "
                  + train.getFileName()
                  + " and degraded copies of "
                  + degradeShare
                  + " of its images (docs/quality.md)");
      System.out.println("quality model written to " + modelFile);
      measures.set(0, new Measure("overall score (refitted)", m -> score(model, m)));
      fitted.put("gate", gate(model, evaluated, measured, threshold));
    }
    List<int[]> genuine = genuinePairs(evaluated);
    float[] similarity = new float[genuine.size()];
    for (int i = 0; i < genuine.size(); i++) {
      similarity[i] =
          measured
              .get(evaluated.get(genuine.get(i)[0]))
              .embedding()
              .similarity(measured.get(evaluated.get(genuine.get(i)[1])).embedding());
    }
    List<Curve> curves = new ArrayList<>();
    for (Measure m : measures) {
      double[] q =
          evaluated.stream().mapToDouble(p -> m.quality().applyAsDouble(measured.get(p))).toArray();
      curves.add(curve(m.name(), q, genuine, similarity, (float) threshold, new Random(1), 1));
    }
    curves.add(
        curve(
            "random",
            new double[evaluated.size()],
            genuine,
            similarity,
            (float) threshold,
            new Random(1),
            200));
    Figures figures =
        new Figures(
            present(trainImages, measured).size(),
            evaluated.size(),
            fmr,
            threshold,
            genuine.size(),
            curves.get(0).falseNonMatches()[0],
            curves,
            sanity(measured.values()),
            fitted);
    Report.writeJson(outDir.dir.resolve("report.json"), figures);
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (Curve c : curves) {
      double[][] xy = new double[REJECTED.length][];
      for (int i = 0; i < xy.length; i++) {
        xy[i] = new double[] {100 * REJECTED[i], c.fnmr()[i]};
      }
      series.put(c.measure(), xy);
    }
    byte[] curvesPng =
        Charts.line(
            "Error versus reject at FMR " + fmr, "images rejected (%)", "FNMR", series, false);
    DurableFiles.replace(
        outDir.dir.resolve("error-versus-reject.png"), out -> out.write(curvesPng));
    Map<String, double[][]> pose = new LinkedHashMap<>();
    for (String axis : List.of("yaw", "pitch", "roll")) {
      pose.put(axis, histogram(measured.values(), axis));
    }
    byte[] posePng =
        Charts.line(
            "Head pose of every image's main face",
            "degrees",
            "share of faces per 3°",
            pose,
            false);
    DurableFiles.replace(outDir.dir.resolve("pose-distribution.png"), out -> out.write(posePng));
    print(figures);
    return 0;
  }

  private static double angle(Measured m, String axis) {
    FaceQuality q = m.quality();
    return switch (axis) {
      case "yaw" -> q.yaw();
      case "pitch" -> q.pitch();
      default -> q.roll();
    };
  }

  /** The share of faces in each 3° bin from −90° to 90°. */
  private static double[][] histogram(java.util.Collection<Measured> faces, String axis) {
    double[][] bins = new double[60][];
    for (int b = 0; b < bins.length; b++) {
      bins[b] = new double[] {-90 + 3 * b + 1.5, 0};
    }
    for (Measured m : faces) {
      int b = (int) Math.floor((angle(m, axis) + 90) / 3);
      if (b >= 0 && b < bins.length) {
        bins[b][1] += 1.0 / faces.size();
      }
    }
    return bins;
  }

  static Sanity sanity(java.util.Collection<Measured> faces) {
    Map<String, ToDoubleFunction<Measured>> columns = new LinkedHashMap<>();
    columns.put("yaw", m -> m.quality().yaw());
    columns.put("pitch", m -> m.quality().pitch());
    columns.put("roll", m -> m.quality().roll());
    columns.put(
        "less open eye", m -> Math.min(m.quality().leftEyeOpen(), m.quality().rightEyeOpen()));
    columns.put("inter-ocular px", m -> m.quality().interOcularDistance());
    columns.put("sharpness", m -> m.quality().sharpness());
    columns.put("brightness", m -> m.quality().brightness());
    columns.put("embedding norm", m -> m.quality().embeddingNorm());
    columns.put("overall score", m -> m.quality().score());
    columns.put("liveness", Measured::liveness);
    Map<String, double[]> percentiles = new LinkedHashMap<>();
    columns.forEach(
        (name, f) -> {
          double[] v =
              faces.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
          double[] p = new double[PERCENTILES.length];
          for (int i = 0; i < p.length; i++) {
            p[i] =
                v.length == 0
                    ? Double.NaN
                    : v[(int) Math.min(v.length - 1, PERCENTILES[i] / 100 * v.length)];
          }
          percentiles.put(name, p);
        });
    double[] yaw = faces.stream().mapToDouble(m -> m.quality().yaw()).toArray();
    double[] offset = faces.stream().mapToDouble(Measured::noseOffset).toArray();
    double my = java.util.Arrays.stream(yaw).average().orElse(0);
    double mo = java.util.Arrays.stream(offset).average().orElse(0);
    double syo = 0, soo = 0, syy = 0;
    for (int i = 0; i < yaw.length; i++) {
      syo += (yaw[i] - my) * (offset[i] - mo);
      soo += (offset[i] - mo) * (offset[i] - mo);
      syy += (yaw[i] - my) * (yaw[i] - my);
    }
    double open =
        faces.stream().filter(m -> m.quality().eyesOpen()).count() / (double) faces.size();
    return new Sanity(faces.size(), percentiles, open, syo / Math.sqrt(soo * syy), syo / soo);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> c = new ArrayList<>(a);
    c.addAll(b);
    return c;
  }

  private static List<Path> present(List<Path> images, Map<Path, Measured> measured) {
    return images.stream().filter(measured::containsKey).toList();
  }

  private static String baseName(Path image) {
    String name = image.getFileName().toString();
    return name.substring(0, name.lastIndexOf('.'));
  }

  /**
   * A degraded copy of every {@code 1 / share}-th training image, in OUT-DIR/degraded/PERSON/, made
   * once: LFW's news photos are rarely blurred or tiny, so without such copies the fit could not
   * learn what blur and low resolution do to recognition. Each copy is blurred, shrunk and blown up
   * again (resolution lost), or both, by a seeded random amount.
   */
  private List<Path> degradedCopies(List<Path> images) throws IOException {
    degradedDir = outDir.dir.resolve("degraded");
    List<Path> copies = new ArrayList<>();
    Random random = new Random(5);
    for (int i = 0; i < images.size(); i++) {
      int kind = random.nextInt(3);
      int passes = 1 + random.nextInt(4);
      double scale = 0.12 + random.nextDouble() * 0.28;
      if (random.nextDouble() >= degradeShare) {
        continue;
      }
      Path image = images.get(i);
      Path copy = degradedDir.resolve(person(image)).resolve(baseName(image) + ".png");
      if (!Files.exists(copy)) {
        BufferedImage picture = ImageIO.read(image.toFile());
        if (picture == null) {
          continue;
        }
        if (kind != 0) {
          picture = resized(resized(picture, scale), picture.getWidth(), picture.getHeight());
        }
        if (kind != 1) {
          picture = blurred(picture, kind == 2 ? 1 : passes);
        }
        Files.createDirectories(copy.getParent());
        ImageIO.write(picture, "png", copy.toFile());
      }
      copies.add(copy);
    }
    return copies;
  }

  private static BufferedImage resized(BufferedImage image, double scale) {
    return resized(
        image,
        Math.max(1, (int) Math.round(image.getWidth() * scale)),
        Math.max(1, (int) Math.round(image.getHeight() * scale)));
  }

  private static BufferedImage resized(BufferedImage image, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  /** {@code passes} 5×5 box blurs. */
  private static BufferedImage blurred(BufferedImage image, int passes) {
    float[] box = new float[25];
    Arrays.fill(box, 1 / 25f);
    ConvolveOp op = new ConvolveOp(new Kernel(5, 5, box), ConvolveOp.EDGE_NO_OP, null);
    BufferedImage out = resized(image, image.getWidth(), image.getHeight());
    for (int i = 0; i < passes; i++) {
      out = op.filter(out, null);
    }
    return out;
  }

  private static String person(Path image) {
    return image.getParent().getFileName().toString();
  }

  /** Every pair of images of the same person, as indices. */
  private static List<int[]> genuinePairs(List<Path> images) {
    List<int[]> pairs = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      for (int j = i + 1; j < images.size(); j++) {
        // A degraded copy is not compared with its own original: that pair is far too easy.
        if (person(images.get(i)).equals(person(images.get(j)))
            && !baseName(images.get(i)).equals(baseName(images.get(j)))) {
          pairs.add(new int[] {i, j});
        }
      }
    }
    return pairs;
  }

  /** The similarity above which a share {@code fmr} of all different-person comparisons lie. */
  static double thresholdAtFmr(List<Path> images, Map<Path, Measured> measured, double fmr) {
    Scores scores =
        Scores.ofAllPairs(
            images.stream().map(p -> measured.get(p).embedding()).toList(),
            images.stream().map(EvaluateQualityCommand::person).toList());
    if (Math.floor(fmr * scores.impostorCount()) < 10) {
      throw new IllegalArgumentException(
          scores.impostorCount()
              + " impostor comparisons are too few to set a threshold at FMR "
              + fmr);
    }
    return scores.thresholdForFar(fmr);
  }

  /** A measure's error-versus-reject curve over {@link #REJECTED}, as the report shows it. */
  static Curve curve(
      String name,
      double[] quality,
      List<int[]> genuine,
      float[] similarity,
      float threshold,
      Random random,
      int repeats) {
    ErrorVersusReject c =
        ErrorVersusReject.of(quality, genuine, similarity, threshold, REJECTED, random, repeats);
    int[] counts = Arrays.stream(c.falseNonMatches()).mapToInt(v -> (int) Math.round(v)).toArray();
    return new Curve(name, c.fnmr(), counts, c.area(), c.removedAt(0.05));
  }

  /** The overall score of a measured image under a fitted model. */
  private static double score(QualityFit.Model model, Measured m) {
    return model.score(QualityModel.features(m.quality(), m.detectorScore()));
  }

  /**
   * Fits the overall score ({@link QualityFit}) on every genuine comparison among {@code images},
   * with only the features in {@code used}.
   */
  static QualityFit.Model fit(
      List<Path> images, Map<Path, Measured> measured, double threshold, Set<Integer> used) {
    List<int[]> genuine = genuinePairs(images);
    double[][] x = new double[images.size()][];
    for (int i = 0; i < x.length; i++) {
      Measured m = measured.get(images.get(i));
      x[i] = QualityModel.features(m.quality(), m.detectorScore());
      for (int k = 0; k < x[i].length; k++) {
        if (!used.contains(k)) {
          x[i][k] = 0;
        }
      }
    }
    double[] sims = new double[genuine.size()];
    for (int g = 0; g < sims.length; g++) {
      sims[g] =
          measured
              .get(images.get(genuine.get(g)[0]))
              .embedding()
              .similarity(measured.get(images.get(genuine.get(g)[1])).embedding());
    }
    return QualityFit.fit(x, genuine, sims, POOR, threshold, RIDGE);
  }

  /**
   * The fit judged on people it did not see: the training people split in two halves by name, each
   * half scored by a model fitted on the other; the areas under each half's error-versus-reject
   * curve for the fitted score, the strongest single component and random rejection.
   */
  Map<String, Object> crossValidate(
      List<Path> images, Map<Path, Measured> measured, double threshold, Set<Integer> used) {
    Map<String, Object> result = new LinkedHashMap<>();
    Map<String, Double> means = new LinkedHashMap<>();
    for (int run = 0; run < FOLDS * REPEATS; run++) {
      int h = run % FOLDS;
      int repeat = run / FOLDS;
      QualityFit.Model model =
          fit(
              images.stream().filter(p -> fold(p, repeat) != h).toList(),
              measured,
              threshold,
              used);
      List<Path> judged = images.stream().filter(p -> fold(p, repeat) == h).toList();
      Map<String, Double> areas = new LinkedHashMap<>();
      for (boolean realOnly : new boolean[] {false, true}) {
        List<Path> set = realOnly ? judged.stream().filter(p -> !isDegraded(p)).toList() : judged;
        List<int[]> genuine = genuinePairs(set);
        float[] sims = similarities(set, genuine, measured);
        for (Measure m :
            List.of(
                new Measure("fitted", m -> score(model, m)),
                MEASURES.get(MEASURES.size() - 1),
                new Measure("random", p -> 0))) {
          double[] q =
              set.stream().mapToDouble(p -> m.quality().applyAsDouble(measured.get(p))).toArray();
          int repeats = m.name().equals("random") ? 200 : 1;
          Curve c = curve(m.name(), q, genuine, sims, (float) threshold, new Random(1), repeats);
          String key = m.name() + (realOnly ? " (real photos)" : "") + " area";
          areas.put(key, c.area());
          means.merge(key, c.area() / FOLDS / REPEATS, Double::sum);
        }
      }
      result.put("fold " + run + " (" + judged.size() + " images)", areas);
    }
    result.put("mean", means);
    StringBuilder line = new StringBuilder("CV mean area:");
    means.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.5f;", k, v)));
    System.out.println(line);
    return result;
  }

  /** What a minimum score refuses, of the real photos and of the degraded copies. */
  record GateRow(
      double minScore,
      double realRefused,
      double realFalseNonMatchesTouched,
      double copiesRefused,
      double copiesFalseNonMatchesTouched) {}

  static final double[] GATE_SCORES = {0.5, 0.6, 0.7, 0.8};

  /**
   * For each minimum score: the share of real photos and of degraded copies it refuses, and the
   * share of false non-matches at the threshold that involve a refused image, among comparisons of
   * two real photos and among comparisons of a copy with a real photo.
   */
  private List<GateRow> gate(
      QualityFit.Model model, List<Path> images, Map<Path, Measured> measured, double threshold) {
    List<int[]> genuine = genuinePairs(images);
    float[] sims = similarities(images, genuine, measured);
    double[] score = images.stream().mapToDouble(p -> score(model, measured.get(p))).toArray();
    List<GateRow> rows = new ArrayList<>();
    for (double min : GATE_SCORES) {
      int[] refused = new int[2], count = new int[2], touched = new int[2], errors = new int[2];
      for (int i = 0; i < images.size(); i++) {
        int kind = isDegraded(images.get(i)) ? 1 : 0;
        count[kind]++;
        refused[kind] += score[i] < min ? 1 : 0;
      }
      for (int g = 0; g < genuine.size(); g++) {
        int a = genuine.get(g)[0], b = genuine.get(g)[1];
        int copies = (isDegraded(images.get(a)) ? 1 : 0) + (isDegraded(images.get(b)) ? 1 : 0);
        if (copies > 1 || sims[g] >= threshold) {
          continue; // copy against copy is left out; so are matches
        }
        errors[copies]++;
        touched[copies] += score[a] < min || score[b] < min ? 1 : 0;
      }
      rows.add(
          new GateRow(
              min,
              refused[0] / (double) count[0],
              touched[0] / (double) Math.max(1, errors[0]),
              refused[1] / (double) Math.max(1, count[1]),
              touched[1] / (double) Math.max(1, errors[1])));
    }
    System.out.println("min score  real refused  their FNM share  copies refused  their FNM share");
    for (GateRow r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%9.1f  %12.3f  %15.2f  %14.3f  %15.2f%n",
          r.minScore(),
          r.realRefused(),
          r.realFalseNonMatchesTouched(),
          r.copiesRefused(),
          r.copiesFalseNonMatchesTouched());
    }
    return rows;
  }

  private boolean isDegraded(Path image) {
    return degradedDir != null && image.startsWith(degradedDir);
  }

  /** The similarity of each pair. */
  private static float[] similarities(
      List<Path> images, List<int[]> pairs, Map<Path, Measured> measured) {
    float[] sims = new float[pairs.size()];
    for (int g = 0; g < sims.length; g++) {
      sims[g] =
          measured
              .get(images.get(pairs.get(g)[0]))
              .embedding()
              .similarity(measured.get(images.get(pairs.get(g)[1])).embedding());
    }
    return sims;
  }

  /** The share of genuine comparisons that the fit learns to predict as poor. */
  static final int FOLDS = 4;

  /** Where degraded copies are kept; null without --fit. */
  private Path degradedDir;

  /** The fold of an image's person in one repeat of the cross-validation. */
  private static int fold(Path image, int repeat) {
    return new java.util.SplittableRandom(person(image).hashCode() * 1_000_003L + repeat)
        .nextInt(FOLDS);
  }

  static final int REPEATS = 5;

  static final double POOR = 0.1;

  /** A light ridge: several features are correlated. */
  static final double RIDGE = 1.0;

  private static void print(Figures f) {
    System.out.printf(
        Locale.ROOT,
        "%d images, %d genuine comparisons; threshold %.4f (FMR %s on %d training images):"
            + " %d false non-matches before rejection%n",
        f.testImages(),
        f.genuinePairs(),
        f.threshold(),
        fmt("%.0e", f.fmr()),
        f.trainImages(),
        f.falseNonMatchesAtZero());
    System.out.printf(
        Locale.ROOT,
        "%-32s %8s %8s %8s %8s %8s %12s %10s%n",
        "measure",
        "FNMR 0%",
        "2%",
        "5%",
        "10%",
        "20%",
        "area",
        "FNM gone 5%");
    for (Curve c : f.curves()) {
      System.out.printf(
          Locale.ROOT,
          "%-32s %8.4f %8.4f %8.4f %8.4f %8.4f %12.5f %10.2f%n",
          c.measure(),
          c.fnmr()[0],
          c.fnmr()[2],
          c.fnmr()[5],
          c.fnmr()[10],
          c.fnmr()[20],
          c.area(),
          c.removedAtFive());
    }
    Sanity s = f.sanity();
    System.out.printf(
        Locale.ROOT,
        "%nall %d measured images: percentiles %s; both eyes open %.3f; yaw vs nose offset from the"
            + " eyes' midpoint: r = %.3f, %.1f° per half eye distance%n",
        s.images(),
        Arrays.toString(PERCENTILES),
        s.bothEyesOpen(),
        s.yawVersusNoseOffsetCorrelation(),
        s.degreesPerHalfEyeDistance());
    s.percentiles()
        .forEach(
            (name, p) -> {
              StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-16s", name));
              for (double v : p) {
                row.append(String.format(Locale.ROOT, " %9.3f", v));
              }
              System.out.println(row);
            });
    if (!f.fitted().isEmpty()) {
      System.out.println("fit: " + f.fitted());
    }
  }
}
