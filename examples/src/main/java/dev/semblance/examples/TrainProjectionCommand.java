package dev.semblance.examples;

import dev.semblance.Embedding;
import dev.semblance.ProjectionHead;
import dev.semblance.evaluation.CrossValidation;
import dev.semblance.evaluation.RocPoint;
import dev.semblance.evaluation.Scores;
import dev.semblance.learning.Mining;
import dev.semblance.learning.ProjectionTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "projection",
    description = {
      "Train a linear projection head (e.g. 512 → 128) with triplet loss on a folder of people",
      "(one sub-folder each), and compare raw and projected embeddings on held-out people.",
      "With --test-pairs, the people of that pairs file are held out and it scores both."
    })
final class TrainProjectionCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, paramLabel = "DIR")
  Path from;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The head; FILE.html and FILE.json report on it.")
  Path out;

  @Option(names = "--dimension", defaultValue = "128")
  int dimension;

  @Option(
      names = "--mining",
      defaultValue = "SEMI_HARD",
      description = "BATCH_ALL, BATCH_HARD, SEMI_HARD or RANDOM (default ${DEFAULT-VALUE}).")
  Mining mining;

  @Option(names = "--margin", defaultValue = "0.2")
  double margin;

  @Option(
      names = "--learning-rate",
      defaultValue = "1e-3",
      description = "Adam's step size (default ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--epochs", defaultValue = "40")
  int epochs;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(
      names = "--random-start",
      description = "Start from random orthonormal rows instead of the principal directions.")
  boolean randomStart;

  @Option(
      names = "--test-pairs",
      paramLabel = "FILE",
      description = "LFW pairs over --from whose people are held out.")
  Path testPairs;

  @Mixin Cli.CacheOption cache;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Spec CommandSpec spec;

  /** 10-fold accuracy on the held-out pairs file. */
  record PairsAccuracy(double meanAccuracy, double standardDeviation) {}

  /** The held-out people's figures on raw or projected embeddings. */
  record Comparison(
      double heldOutTripletLoss,
      VerificationFigures.Summary allPairs,
      PairsAccuracy pairsCrossValidation) {}

  /** Everything the command measured; FILE.json is this record. */
  record Figures(
      String head,
      String embedder,
      List<Integer> dimensions,
      String mining,
      String start,
      int trainingEmbeddings,
      int heldOutEmbeddings,
      int bestEpoch,
      List<ProjectionTrainer.Epoch> history,
      Comparison raw,
      Comparison projected) {}

  @Override
  public Integer call() {
    Map<String, List<Path>> people = Images.peopleIn(from);
    PairsFile pairs = testPairs == null ? null : PairsFile.read(testPairs, from);
    Set<String> heldOut = heldOutPeople(people.keySet(), pairs);
    List<Path> images = people.values().stream().flatMap(List::stream).sorted().toList();
    EmbeddingCache.Encoded encoded =
        EmbeddingCache.encode(encoderOptions, cache.orElse(Path.of(out + ".embeddings")), images);
    List<Embedding> trainX = new ArrayList<>();
    List<String> trainY = new ArrayList<>();
    List<Embedding> testX = new ArrayList<>();
    List<String> testY = new ArrayList<>();
    encoded.embeddings().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              String who = e.getKey().getParent().getFileName().toString();
              (heldOut.contains(who) ? testX : trainX).add(e.getValue());
              (heldOut.contains(who) ? testY : trainY).add(who);
            });

    ProjectionTrainer trainer =
        ProjectionTrainer.builder(dimension)
            .mining(mining)
            .margin(margin)
            .learningRate(learningRate)
            .epochs(epochs, 5)
            .seed(seed)
            .principalStart(!randomStart)
            .build();
    Progress progress = new Progress("training", epochs);
    ProjectionTrainer.Result result =
        trainer.train(
            encoded.embedderId(), trainX, trainY, epoch -> progress.step("epoch " + epoch));
    ProjectionHead head = result.head();
    head.save(out);

    Scores rawAll = Scores.ofAllPairs(testX, testY);
    Scores projectedAll = Scores.ofAllPairs(testX.stream().map(head::project).toList(), testY);
    Comparison raw =
        new Comparison(
            trainer.heldOutLoss(null, testX, testY),
            VerificationFigures.Summary.of(rawAll),
            pairs == null ? null : crossValidated(pairs, encoded.embeddings(), e -> e));
    Comparison projected =
        new Comparison(
            trainer.heldOutLoss(head, testX, testY),
            VerificationFigures.Summary.of(projectedAll),
            pairs == null ? null : crossValidated(pairs, encoded.embeddings(), head::project));
    Figures figures =
        new Figures(
            out.toString(),
            encoded.embedderId(),
            List.of(head.inputDimension(), head.outputDimension()),
            mining.name(),
            randomStart ? "random" : "principal",
            trainX.size(),
            testX.size(),
            result.bestEpoch(),
            result.history(),
            raw,
            projected);

    report(figures, head, new TreeSet<>(trainY).size(), heldOut.size(), rawAll, projectedAll)
        .write(Path.of(out + ".html"));
    Report.writeJson(Path.of(out + ".json"), figures);
    System.out.printf(
        Locale.ROOT,
        "projection %d → %d written to %s (best epoch %d); held-out triplet loss %.3e → %.3e%s%n",
        head.inputDimension(),
        head.outputDimension(),
        out,
        result.bestEpoch(),
        raw.heldOutTripletLoss(),
        projected.heldOutTripletLoss(),
        pairs == null ? "" : "; pairs accuracy " + cvText(raw) + " → " + cvText(projected));
    return Cli.OK;
  }

  /** The people held out: those of the test pairs file, or a seeded fifth (two at least). */
  private Set<String> heldOutPeople(Set<String> everyone, PairsFile pairs) {
    Set<String> heldOut = new TreeSet<>();
    if (pairs != null) {
      pairs.images().forEach(p -> heldOut.add(p.getParent().getFileName().toString()));
    } else {
      List<String> names = new ArrayList<>(everyone);
      if (names.size() < 6) {
        throw new IllegalArgumentException(
            "need at least 6 people in "
                + from
                + " to train and hold some out, found "
                + names.size());
      }
      Collections.shuffle(names, new Random(seed));
      heldOut.addAll(
          names.subList(0, Math.max(2, names.size() / 5))); // two at least, for impostor pairs
    }
    return heldOut;
  }

  private Report report(
      Figures f,
      ProjectionHead head,
      int trainPeople,
      int heldOutPeople,
      Scores rawAll,
      Scores projectedAll) {
    String command =
        "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report = new Report("Projection head: " + out.getFileName(), command, f.embedder());
    report
        .section("Training")
        .paragraph(
            String.format(
                Locale.ROOT,
                "%d → %d from %s, %s mining, margin %.2f, Adam %.0e, seed %d: %d embeddings of %d people for training, "
                    + "%d of %d held-out people for the comparison. Best held-out epoch: %d of %d.",
                head.inputDimension(),
                head.outputDimension(),
                randomStart ? "a random start" : "the principal directions",
                mining,
                margin,
                learningRate,
                seed,
                f.trainingEmbeddings(),
                trainPeople,
                f.heldOutEmbeddings(),
                heldOutPeople,
                f.bestEpoch(),
                f.history().size()));
    double[][] trainCurve =
        f.history().stream()
            .map(e -> new double[] {e.epoch(), e.trainCost()})
            .toArray(double[][]::new);
    double[][] validationCurve =
        f.history().stream()
            .map(e -> new double[] {e.epoch(), e.validationLoss()})
            .toArray(double[][]::new);
    report.plot(
        "Mean triplet cost of the mined batches, per epoch",
        Charts.line(
            "training cost",
            "epoch",
            "mean cost of mined triplets",
            Map.of("training", trainCurve),
            false));
    report.plot(
        "Mean loss over all triplets of the early-stopping identities, per epoch",
        Charts.line(
            "held-out loss",
            "epoch",
            "mean triplet loss",
            Map.of("validation", validationCurve),
            false));
    report.section("Held-out people: raw against projected");
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "mean triplet loss (all triplets)",
            VerificationFigures.fmt("%.3e", f.raw().heldOutTripletLoss()),
            VerificationFigures.fmt("%.3e", f.projected().heldOutTripletLoss())));
    if (f.raw().pairsCrossValidation() != null) {
      rows.add(List.of("pairs: 10-fold accuracy", cvText(f.raw()), cvText(f.projected())));
    }
    List<List<String>> rawRows = f.raw().allPairs().rows();
    List<List<String>> projRows = f.projected().allPairs().rows();
    for (int i = 0; i < rawRows.size(); i++) {
      rows.add(
          List.of(
              "all pairs: " + rawRows.get(i).get(0),
              rawRows.get(i).get(1),
              projRows.get(i).get(1)));
    }
    report.table(
        List.of(
            "measure",
            "raw " + head.inputDimension() + "-d",
            "projected " + head.outputDimension() + "-d"),
        rows);
    Map<String, List<RocPoint>> curves = new LinkedHashMap<>();
    curves.put("raw", VerificationFigures.curve(rawAll));
    curves.put("projected", VerificationFigures.curve(projectedAll));
    report.plot("ROC on the held-out people's image pairs", Charts.roc(curves));
    return report;
  }

  private static String cvText(Comparison c) {
    return VerificationFigures.fmt("%.2f%%", 100 * c.pairsCrossValidation().meanAccuracy())
        + VerificationFigures.fmt(" ± %.2f%%", 100 * c.pairsCrossValidation().standardDeviation());
  }

  /**
   * 10-fold accuracy of a pairs file on (possibly projected) embeddings; a missing face scores -1.
   */
  static PairsAccuracy crossValidated(
      PairsFile pairs, Map<Path, Embedding> embeddings, Function<Embedding, Embedding> map) {
    int n = pairs.pairs().size();
    float[] scores = new float[n];
    boolean[] same = new boolean[n];
    for (int i = 0; i < n; i++) {
      PairsFile.Pair p = pairs.pairs().get(i);
      Embedding a = embeddings.get(p.first());
      Embedding b = embeddings.get(p.second());
      scores[i] = a == null || b == null ? -1f : map.apply(a).similarity(map.apply(b));
      same[i] = p.same();
    }
    CrossValidation cv =
        CrossValidation.run(scores, same, CrossValidation.stratifiedFolds(same, 10), 10);
    return new PairsAccuracy(cv.mean(), cv.standardDeviation());
  }
}
