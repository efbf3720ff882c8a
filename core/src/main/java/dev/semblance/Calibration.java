package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.stats.ParetoTail;
import dev.semblance.io.DurableFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
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

/**
 * How an embedder's similarity scores turn into error rates, measured on labelled comparisons:
 * answers "which threshold gives a false accept rate of 10⁻³?" and, for a gallery of N templates,
 * "which threshold keeps the false positive identification rate at 1%?".
 *
 * <p>It keeps the threshold at a ladder of false accept rates (20 steps a decade, from 1 down to
 * one over the number of impostor comparisons measured) and interpolates between them in log-FAR.
 * Where fewer than a hundred impostor comparisons remain above the threshold, counting them reads
 * noise (and any label mistake of the data), so a calibration of enough comparisons models its
 * impostor tail instead: a generalised Pareto fit to the thousand highest impostor scores, with
 * bootstrap replicates for its uncertainty, vouched for three decades below the measured floor. A
 * target below what it vouches for is refused rather than extrapolated further.
 *
 * <pre>{@code
 * Calibration cal = Calibration.bundled();                     // LFW DevTrain, bundled embedder
 * Verifier door = Verifier.forTargetFar(cal, 1e-4);
 * gallery.setTargetFpir(cal, 0.01);                            // tightens as the gallery grows
 * }</pre>
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class Calibration {
  private static final String MAGIC = "# Semblance calibration";
  private static final int FORMAT = 2;
  private static final int TAIL_SIZE = 1000; // impostor scores the tail model is fitted to
  private static final int TAIL_MIN_IMPOSTORS = 100 * TAIL_SIZE;
  private static final int TAIL_REPLICATES = 200;
  private static final double TAIL_REACH = 1e-3; // how far below the measured floor it vouches
  private static final int COUNTED = 100; // fewer impostors above a threshold than this: modelled
  private static final int STEPS_PER_DECADE = 20;
  private static final String BUNDLED = "dev/semblance/calibration/faceplugin-fr_feature.txt";

  private final String embedderId;
  private final String description;
  private final long impostors;
  private final long genuines;
  private final double[] level; // target FAR, descending
  private final double[] threshold; // most lenient threshold with FAR <= level, ascending
  private final double[] far; // FAR observed at the threshold
  private final double[] tar; // TAR observed at the threshold
  private final ParetoTail tail; // null without enough impostor comparisons
  private final ParetoTail[] replicates; // bootstrap refits of the tail
  private final double modelledAbove; // thresholds above this are the tail model's; NaN without

  private Calibration(
      String embedderId,
      String description,
      long impostors,
      long genuines,
      double[] level,
      double[] threshold,
      double[] far,
      double[] tar,
      ParetoTail tail,
      ParetoTail[] replicates) {
    checkArgument(
        !embedderId.isBlank() && !embedderId.contains("\n"), "bad embedder id: %s", embedderId);
    checkArgument(impostors > 0 && level.length > 0, "a calibration needs impostor comparisons");
    for (int i = 1; i < level.length; i++) {
      checkArgument(
          level[i] < level[i - 1] && threshold[i] >= threshold[i - 1],
          "calibration rows must have falling FAR and rising thresholds (row %s)",
          i);
    }
    this.embedderId = embedderId;
    this.description = description.replace('\n', ' ');
    this.impostors = impostors;
    this.genuines = genuines;
    this.level = level;
    this.threshold = threshold;
    this.far = far;
    this.tar = tar;
    this.tail = tail;
    this.replicates = replicates;
    this.modelledAbove = tail == null ? Double.NaN : countedThreshold(modelledBelow());
  }

  /**
   * Labelled comparison scores of one embedder, as a calibration reads them ({@link
   * dev.semblance.evaluation.Scores} is one).
   *
   * <p>Thread safety: implementations are read from the calling thread only.
   */
  public interface LabelledScores {
    int impostorCount();

    int genuineCount();

    /** The most lenient threshold whose false accept rate is at most {@code targetFar}. */
    float thresholdForFar(double targetFar);

    /** The share of impostor scores at or above {@code threshold}. */
    double far(double threshold);

    /** The share of genuine scores at or above {@code threshold}. */
    double tar(double threshold);

    /** The {@code count} highest impostor scores (fewer if there are fewer), in any order. */
    double[] highestImpostors(int count);
  }

  /**
   * Measures a calibration from labelled scores of one embedder. With at least 100,000 impostor
   * scores it also models their tail (see above); clean the scores of label mistakes first (the
   * same person under two names reads as the most similar impostors), as {@link
   * dev.semblance.evaluation.DuplicateIdentities} does.
   *
   * @param description where the scores come from, for people reading the file
   * @throws IllegalArgumentException without impostor scores
   */
  public static Calibration fromScores(
      String embedderId, String description, LabelledScores scores) {
    checkArgument(scores.impostorCount() > 0, "a calibration needs impostor scores");
    List<double[]> rows = new ArrayList<>();
    double lowest = 1.0 / scores.impostorCount();
    for (int step = 0; ; step++) {
      double target = Math.pow(10, -(double) step / STEPS_PER_DECADE);
      if (target < lowest * (1 - 1e-9)) {
        break;
      }
      float t = scores.thresholdForFar(Math.min(target, 1 - 1e-12));
      rows.add(
          new double[] {
            target, t, scores.far(t), scores.genuineCount() > 0 ? scores.tar(t) : Double.NaN
          });
    }
    ParetoTail tail = null;
    ParetoTail[] replicates = new ParetoTail[0];
    if (scores.impostorCount() >= TAIL_MIN_IMPOSTORS) {
      double[] top = scores.highestImpostors(TAIL_SIZE);
      tail = ParetoTail.fit(top, scores.impostorCount());
      replicates = ParetoTail.bootstrap(top, scores.impostorCount(), TAIL_REPLICATES, 20261206L);
    }
    return new Calibration(
        embedderId,
        description,
        scores.impostorCount(),
        scores.genuineCount(),
        rows.stream().mapToDouble(r -> r[0]).toArray(),
        rows.stream().mapToDouble(r -> r[1]).toArray(),
        rows.stream().mapToDouble(r -> r[2]).toArray(),
        rows.stream().mapToDouble(r -> r[3]).toArray(),
        tail,
        replicates);
  }

  /**
   * The calibration shipped for the bundled embedder ({@link EmbedderModel#bundled()}), measured on
   * LFW's {@code pairsDevTrain.txt} people; see {@code docs/accuracy.md}.
   */
  public static Calibration bundled() {
    return BundledHolder.CALIBRATION;
  }

  /** Reads the bundled calibration once, on first use. */
  private static final class BundledHolder {
    static final Calibration CALIBRATION = readBundled();
  }

  private static Calibration readBundled() {
    // Class-relative lookup: the resource lives in this module, which does not open the package.
    try (InputStream in = Calibration.class.getResourceAsStream("/" + BUNDLED)) {
      if (in == null) {
        throw new SemblanceException(
            "bundled calibration " + BUNDLED + " is missing from the class path");
      }
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), BUNDLED);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUNDLED + ": " + e, e);
    }
  }

  /** The id of the embedder whose scores were measured; see {@link Encoder#embedderId()}. */
  public String embedderId() {
    return embedderId;
  }

  public String description() {
    return description;
  }

  public long impostorCount() {
    return impostors;
  }

  public long genuineCount() {
    return genuines;
  }

  /**
   * The smallest FAR this calibration vouches for: one over the impostor comparisons measured, or a
   * thousand times less when it models their tail.
   */
  public double minimumFar() {
    return tail == null ? measuredFloor() : measuredFloor() * TAIL_REACH;
  }

  /** Whether rates below the measured ones come from a model of the impostor tail. */
  public boolean modelsTail() {
    return tail != null;
  }

  private double measuredFloor() {
    return level[level.length - 1];
  }

  /** Below this FAR the tail model answers; NaN without one. */
  private double modelledBelow() {
    return tail == null ? Double.NaN : Math.min(tail.rate(), (double) COUNTED / impostors);
  }

  /**
   * The similarity threshold at which the false accept rate is {@code targetFar}.
   *
   * @throws IllegalArgumentException unless {@code minimumFar() <= targetFar < 1}
   */
  public double thresholdForFar(double targetFar) {
    checkArgument(targetFar < 1 && targetFar > 0, "target FAR must be in (0, 1): %s", targetFar);
    checkArgument(
        targetFar >= minimumFar() * (1 - 1e-9),
        "target FAR %s is below what this calibration vouches for (%s, from %s impostor "
            + "comparisons%s)",
        targetFar,
        minimumFar(),
        impostors,
        tail == null ? "" : " and a model of their tail");
    if (targetFar >= level[0]) {
      return threshold[0];
    }
    if (targetFar < modelledBelow()) {
      return Math.max(modelledAbove, tail.thresholdFor(targetFar));
    }
    return countedThreshold(targetFar);
  }

  private double countedThreshold(double targetFar) {
    int i = 1;
    while (level[i] > targetFar) {
      i++;
    }
    double f =
        (Math.log(level[i - 1]) - Math.log(targetFar))
            / (Math.log(level[i - 1]) - Math.log(level[i]));
    return threshold[i - 1] + f * (threshold[i] - threshold[i - 1]);
  }

  /**
   * The threshold for a false positive identification rate of {@code targetFpir} when each search
   * compares the probe with {@code comparisons} templates: each must falsely match with probability
   * {@code FMR = 1 − (1 − FPIR)^(1/N)}, so the threshold tightens as N grows.
   *
   * @throws IllegalArgumentException if the FMR needed is below {@link #minimumFar()}
   */
  public double thresholdForFpir(double targetFpir, long comparisons) {
    checkArgument(
        targetFpir > 0 && targetFpir < 1, "target FPIR must be in (0, 1): %s", targetFpir);
    checkArgument(comparisons > 0, "comparisons must be positive: %s", comparisons);
    return thresholdForFar(fmrForFpir(targetFpir, comparisons));
  }

  /** The per-comparison false match rate that gives {@code fpir} over {@code comparisons}. */
  public static double fmrForFpir(double fpir, long comparisons) {
    return -Math.expm1(Math.log1p(-fpir) / comparisons);
  }

  /** The strictest threshold this calibration can vouch for (the one at {@link #minimumFar()}). */
  public double strictestThreshold() {
    return thresholdForFar(minimumFar());
  }

  /**
   * The FAR at {@code t}: measured, interpolated between rows, or from the tail model where it
   * answers (without one, 0 above the strictest row).
   */
  public double farAt(double t) {
    return farAt(t, tail);
  }

  private double farAt(double t, ParetoTail model) {
    if (model != null && t > modelledAbove) {
      return Math.min(modelledBelow(), model.rateAt(t));
    }
    return interpolate(t, far);
  }

  /**
   * The FAR at {@code t} with a 90% interval: from the tail model's bootstrap replicates where it
   * answers, else from the binomial spread of the impostor comparisons counted (Wilson).
   */
  public Interval farInterval(double t) {
    double estimate = farAt(t);
    if (tail != null && t > modelledAbove) {
      double[] rates = new double[replicates.length];
      for (int i = 0; i < rates.length; i++) {
        rates[i] = farAt(t, replicates[i]);
      }
      Arrays.sort(rates);
      return new Interval(
          estimate,
          Math.min(estimate, rates[(int) (0.05 * (rates.length - 1))]),
          Math.max(estimate, rates[(int) Math.ceil(0.95 * (rates.length - 1))]));
    }
    return Interval.wilson(Math.round(estimate * impostors), impostors);
  }

  /** The TAR measured at {@code t}, interpolated between rows; NaN without genuine scores. */
  public double tarAt(double t) {
    return interpolate(t, tar);
  }

  private double interpolate(double t, double[] values) {
    if (t <= threshold[0]) {
      return values[0];
    }
    for (int i = 1; i < threshold.length; i++) {
      if (t <= threshold[i]) {
        double span = threshold[i] - threshold[i - 1];
        double f = span == 0 ? 1 : (t - threshold[i - 1]) / span;
        return values[i - 1] + f * (values[i] - values[i - 1]);
      }
    }
    return values == far ? 0 : values[values.length - 1];
  }

  /**
   * Writes the calibration as text, atomically (see {@link Gallery#save}).
   *
   * @throws UncheckedIOException if the file cannot be written; the old file is then unchanged
   */
  public void save(Path file) {
    DurableFiles.replace(
        file,
        out -> {
          Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          w.write(
              MAGIC
                  + "\nformat "
                  + FORMAT
                  + "\nembedder "
                  + embedderId
                  + "\nmetric cosine-similarity\ndescription "
                  + description
                  + "\nimpostors "
                  + impostors
                  + "\ngenuines "
                  + genuines
                  + "\nrows "
                  + level.length
                  + "\n# far-level threshold far tar\n");
          for (int i = 0; i < level.length; i++) {
            w.write(
                String.format(
                    Locale.ROOT, "%.6e %.9f %.6e %.6f%n", level[i], threshold[i], far[i], tar[i]));
          }
          if (tail == null) {
            w.write("tail none\n");
          } else {
            w.write("tail " + tailLine(tail) + "\nreplicates " + replicates.length + "\n");
            for (ParetoTail r : replicates) {
              w.write(tailLine(r) + "\n");
            }
          }
          w.flush();
        });
  }

  private static String tailLine(ParetoTail t) {
    // Shortest text that reads back to the same doubles.
    return t.u() + " " + t.rate() + " " + t.sigma() + " " + t.xi();
  }

  private static ParetoTail parseTail(String line) {
    String[] v = line.trim().split(" ");
    checkFile(v.length == 4, "a tail line holds four numbers: " + line);
    return new ParetoTail(
        Double.parseDouble(v[0]),
        Double.parseDouble(v[1]),
        Double.parseDouble(v[2]),
        Double.parseDouble(v[3]));
  }

  /**
   * Reads a calibration written by {@link #save} (this version's, or format 1, without a tail
   * model).
   *
   * @throws SemblanceException if the file is not a calibration or is damaged
   */
  public static Calibration load(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read calibration " + file + ": " + e, e);
    }
  }

  private static Calibration read(Reader reader, String source) throws IOException {
    BufferedReader in = new BufferedReader(reader);
    List<String> lines = in.lines().toList();
    try {
      checkFile(!lines.isEmpty() && lines.get(0).equals(MAGIC), "not a Semblance calibration file");
      int format = Integer.parseInt(field(lines, 1, "format"));
      checkFile(
          format == 1 || format == FORMAT,
          "calibration format " + format + " is not one this version reads (1, " + FORMAT + ")");
      String embedder = field(lines, 2, "embedder");
      checkFile(field(lines, 3, "metric").equals("cosine-similarity"), "unknown metric");
      String description = field(lines, 4, "description");
      long impostors = Long.parseLong(field(lines, 5, "impostors"));
      long genuines = Long.parseLong(field(lines, 6, "genuines"));
      int rows = Integer.parseInt(field(lines, 7, "rows"));
      checkFile(rows > 0 && lines.size() >= 9 + rows, "expected " + rows + " rows");
      double[][] cols = new double[4][rows];
      for (int i = 0; i < rows; i++) {
        String[] v = lines.get(9 + i).trim().split(" ");
        checkFile(v.length == 4, "row " + i + " does not have four numbers");
        for (int c = 0; c < 4; c++) {
          cols[c][i] = Double.parseDouble(v[c]);
          checkFile(
              c == 3 || Double.isFinite(cols[c][i]), "row " + i + " holds a non-finite value");
        }
      }
      int next = 9 + rows;
      ParetoTail tail = null;
      List<ParetoTail> replicates = new ArrayList<>();
      if (format == 1) {
        checkFile(lines.size() == next, "unexpected lines after the rows");
      } else {
        String tailField = field(lines, next, "tail");
        if (!tailField.equals("none")) {
          tail = parseTail(tailField);
          int count = Integer.parseInt(field(lines, next + 1, "replicates"));
          checkFile(lines.size() == next + 2 + count, "expected " + count + " replicates");
          for (int i = 0; i < count; i++) {
            replicates.add(parseTail(lines.get(next + 2 + i)));
          }
          checkFile(count > 0, "a tail model needs replicates");
        } else {
          checkFile(lines.size() == next + 1, "unexpected lines after the rows");
        }
      }
      return new Calibration(
          embedder,
          description,
          impostors,
          genuines,
          cols[0],
          cols[1],
          cols[2],
          cols[3],
          tail,
          replicates.toArray(new ParetoTail[0]));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new SemblanceException("corrupt calibration file " + source + ": " + e.getMessage(), e);
    }
  }

  private static String field(List<String> lines, int index, String name) {
    String line = lines.get(index);
    checkFile(
        line.startsWith(name + " "), "line " + (index + 1) + " should start with '" + name + "'");
    return line.substring(name.length() + 1);
  }

  private static void checkFile(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(problem);
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "Calibration[%s, %d impostor and %d genuine comparisons, FAR down to %.1e%s]",
        embedderId,
        impostors,
        genuines,
        minimumFar(),
        tail == null ? "" : " (tail modelled)");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Calibration c
        && c.embedderId.equals(embedderId)
        && c.impostors == impostors
        && Arrays.equals(c.threshold, threshold)
        && Arrays.equals(c.level, level)
        && Objects.equals(c.tail, tail);
  }

  @Override
  public int hashCode() {
    return Objects.hash(embedderId, impostors, Arrays.hashCode(threshold));
  }
}
