package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.SemblanceException;
import dev.semblance.examples.AttackImages.Kind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "liveness",
    description = {
      "Presentation-attack detection on real photos (bona fide) and attack-like copies of them"
          + " (each photo as if printed or shown on a screen and photographed again): the"
          + " threshold where both error rates are equal on the --train images, then BPCER on"
          + " the --test images and every --bona-fide set, and APCER on the attacks made from the"
          + " --test images, at that threshold."
    })
final class EvaluateLivenessCommand implements Callable<Integer> {
  @Option(names = "--people", required = true, paramLabel = "DIR", description = "LFW images.")
  Path people;

  @Option(
      names = "--train",
      required = true,
      paramLabel = "FILE",
      description = "Pairs file whose images choose the threshold (pairsDevTrain).")
  Path train;

  @Option(
      names = "--test",
      required = true,
      paramLabel = "FILE",
      description = "Pairs file whose images are reported (pairsDevTest).")
  Path test;

  @Option(
      names = "--bona-fide",
      paramLabel = "PATH",
      description = "More real photos (files or folders), each reported as its own set.")
  List<Path> bonaFide = new ArrayList<>();

  @Option(
      names = "--keep-attacks",
      defaultValue = "0",
      paramLabel = "N",
      description = "Write the first N test attack images to OUT-DIR/attacks for a look.")
  int keepAttacks;

  @Mixin Cli.ReportDirOption outDir;
  @Mixin Cli.EncoderOptions encoderOptions;

  /** Error rates of one set of images at the threshold. */
  record SetFigures(
      String set,
      boolean attacks,
      int images,
      int withoutFace,
      double errorRate,
      double meanScore) {}

  /** Everything measured; report.json is this record. */
  record Figures(
      double threshold,
      double trainBpcer,
      double trainApcer,
      List<SetFigures> test,
      double areaUnderCurve,
      double secondsPerFace) {}

  @Override
  public Integer call() throws IOException {
    Files.createDirectories(outDir.dir);
    List<Path> trainImages = PairsFile.read(train, people).images();
    List<Path> testImages = PairsFile.read(test, people).images();
    try (Encoder encoder = encoderOptions.open(false, true)) {
      Scores trainReal = score(encoder, trainImages, false, "train bona fide");
      Scores trainAttack = score(encoder, trainImages, true, "train attacks");
      double threshold = equalErrorThreshold(trainReal.scores(), trainAttack.scores());
      List<SetFigures> sets = new ArrayList<>();
      Scores testReal = score(encoder, testImages, false, "test bona fide");
      Scores testAttack = score(encoder, testImages, true, "test attacks");
      sets.add(testReal.figures("LFW pairsDevTest photos", false, threshold));
      for (Kind kind : Kind.values()) {
        sets.add(
            testAttack
                .only(kind)
                .figures(
                    "attacks from pairsDevTest: " + kind.name().toLowerCase(Locale.ROOT),
                    true,
                    threshold));
      }
      for (Path path : bonaFide) {
        sets.add(
            score(encoder, Images.expand(List.of(path)), false, path.toString())
                .figures(path.toString(), false, threshold));
      }
      Figures figures =
          new Figures(
              threshold,
              trainReal.figures("", false, threshold).errorRate(),
              trainAttack.figures("", true, threshold).errorRate(),
              sets,
              auc(testReal.scores(), testAttack.scores()),
              (trainReal.seconds() + trainAttack.seconds())
                  / (trainReal.faces() + trainAttack.faces()));
      Report.writeJson(outDir.dir.resolve("report.json"), figures);
      print(figures);
    }
    return 0;
  }

  /** Liveness scores of the main face of each image; attacks carry their kind. */
  record Scores(List<Double> scores, List<Kind> kinds, int faces, double seconds) {
    Scores only(Kind kind) {
      List<Double> s = new ArrayList<>();
      for (int i = 0; i < scores.size(); i++) {
        if (kinds.get(i) == kind) {
          s.add(scores.get(i));
        }
      }
      return new Scores(s, List.of(), s.size(), 0);
    }

    /**
     * Error rate at the threshold: real faces refused (BPCER), or attacks accepted (APCER). An
     * image without a face counts as refused: it cannot pass the system either way.
     */
    SetFigures figures(String name, boolean attacks, double threshold) {
      int errors = 0;
      double sum = 0;
      int faces = 0;
      for (double s : scores) {
        if (Double.isNaN(s)) {
          errors += attacks ? 0 : 1;
          continue;
        }
        faces++;
        sum += s;
        errors += attacks == (s >= threshold) ? 1 : 0;
      }
      return new SetFigures(
          name,
          attacks,
          scores.size(),
          scores.size() - faces,
          scores.isEmpty() ? 0 : errors / (double) scores.size(),
          faces == 0 ? Double.NaN : sum / faces);
    }
  }

  private Scores score(Encoder encoder, List<Path> images, boolean attacks, String what) {
    List<Double> scores = new ArrayList<>();
    List<Kind> kinds = new ArrayList<>();
    Progress progress = new Progress(what, images.size());
    int faces = 0;
    long nanos = 0;
    for (int i = 0; i < images.size(); i++) {
      Kind kind = Kind.values()[i % Kind.values().length];
      double score = Double.NaN;
      try {
        BufferedImage image = encoder.readImage(images.get(i));
        if (attacks) {
          image = AttackImages.make(image, kind, new Random(i));
          if (i < keepAttacks && what.startsWith("test")) {
            Path dir = Files.createDirectories(outDir.dir.resolve("attacks"));
            ImageIO.write(image, "jpg", dir.resolve(i + "-" + kind + ".jpg").toFile());
          }
        }
        long start = System.nanoTime();
        List<Face> found = encoder.encode(image);
        nanos += System.nanoTime() - start;
        if (!found.isEmpty()) {
          Face main = found.get(Encoder.mainFaceIndex(found, image.getWidth(), image.getHeight()));
          score = main.liveness().orElseThrow().score();
          faces++;
        }
      } catch (SemblanceException e) {
        // unreadable or no face: NaN
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      scores.add(score);
      kinds.add(attacks ? kind : null);
      progress.step(images.get(i).getFileName().toString());
    }
    return new Scores(scores, kinds, faces, nanos / 1e9);
  }

  /** The threshold where the share of real faces refused equals the share of attacks accepted. */
  static double equalErrorThreshold(List<Double> real, List<Double> attacks) {
    double best = 0.5, gap = Double.POSITIVE_INFINITY;
    for (int step = 0; step <= 1000; step++) {
      double t = step / 1000.0;
      double bpcer = real.stream().filter(s -> s.isNaN() || s < t).count() / (double) real.size();
      double apcer =
          attacks.stream().filter(s -> !s.isNaN() && s >= t).count() / (double) attacks.size();
      if (Math.abs(bpcer - apcer) < gap) {
        gap = Math.abs(bpcer - apcer);
        best = t;
      }
    }
    return best;
  }

  /** The chance that a real face scores above an attack (faces found in both). */
  static double auc(List<Double> real, List<Double> attacks) {
    double wins = 0;
    long n = 0;
    for (double r : real) {
      for (double a : attacks) {
        if (!Double.isNaN(r) && !Double.isNaN(a)) {
          wins += r > a ? 1 : r == a ? 0.5 : 0;
          n++;
        }
      }
    }
    return wins / n;
  }

  private static void print(Figures f) {
    System.out.printf(
        Locale.ROOT,
        "threshold %.3f (equal error on the training images: BPCER %.4f, APCER %.4f); AUC on test"
            + " %.4f; %.1f ms per image (detection and liveness)%n",
        f.threshold(),
        f.trainBpcer(),
        f.trainApcer(),
        f.areaUnderCurve(),
        1000 * f.secondsPerFace());
    System.out.printf(
        Locale.ROOT, "%-60s %7s %8s %7s %10s%n", "set", "images", "no face", "error", "mean score");
    for (SetFigures s : f.test()) {
      System.out.printf(
          Locale.ROOT,
          "%-60s %7d %8d %7.4f %10.3f  (%s)%n",
          s.set(),
          s.images(),
          s.withoutFace(),
          s.errorRate(),
          s.meanScore(),
          s.attacks() ? "APCER" : "BPCER");
    }
  }
}
