package dev.semblance.examples;

import com.google.common.primitives.Floats;
import dev.semblance.Embedding;
import dev.semblance.LogisticHead;
import dev.semblance.evaluation.Scores;
import dev.semblance.learning.LogisticTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verifier",
    description = {
      "Train the logistic Siamese verifier σ(Σ w·|f(x1) − f(x2)| + b) on a pairs file, and compare it",
      "with the cosine threshold tuned on the same pairs, on --test-pairs (or a held-out fifth)."
    })
final class TrainVerifierCommand implements Callable<Integer> {
  @Option(names = "--pairs", required = true, paramLabel = "FILE")
  Path pairsFile;

  @Option(names = "--images", required = true, paramLabel = "DIR")
  Path images;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The head; FILE.html and FILE.json report on it.")
  Path out;

  @Option(names = "--test-pairs", paramLabel = "FILE")
  Path testPairs;

  @Option(
      names = "--features",
      defaultValue = "ABSOLUTE_DIFFERENCE",
      description = "ABSOLUTE_DIFFERENCE or CHI_SQUARE.")
  LogisticHead.Features features;

  @Option(names = "--epochs", defaultValue = "200")
  int epochs;

  @Option(names = "--learning-rate", defaultValue = "1e-2")
  double learningRate;

  @Option(names = "--l2", defaultValue = "1e-3")
  double l2;

  @Mixin Cli.CacheOption cache;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Spec CommandSpec spec;

  private record Labelled(List<Embedding[]> pairs, boolean[] same) {}

  /** Everything the command measured; FILE.json is this record. */
  record Figures(
      String head,
      String features,
      int trainingPairs,
      int testPairs,
      double cosineThresholdFromTrainingPairs,
      double cosineAccuracy,
      double logisticAccuracy,
      double logisticCrossEntropyTrain,
      double logisticCrossEntropyTest) {}

  @Override
  public Integer call() {
    PairsFile train = PairsFile.read(pairsFile, images);
    PairsFile test = testPairs == null ? null : PairsFile.read(testPairs, images);
    List<Path> all =
        Stream.concat(
                train.images().stream(), test == null ? Stream.empty() : test.images().stream())
            .distinct()
            .sorted()
            .toList();
    EmbeddingCache.Encoded encoded =
        EmbeddingCache.encode(encoderOptions, cache.orElse(Path.of(out + ".embeddings")), all);
    Labelled trainSet = labelled(train.pairs(), encoded.embeddings(), test == null ? 0 : -1);
    Labelled testSet =
        test == null
            ? labelled(train.pairs(), encoded.embeddings(), 1)
            : labelled(test.pairs(), encoded.embeddings(), -1);

    LogisticHead head =
        LogisticTrainer.train(
            encoded.embedderId(),
            features,
            trainSet.pairs(),
            trainSet.same(),
            epochs,
            learningRate,
            l2);
    head.save(out);
    double tau = cosine(trainSet).bestAccuracy().threshold();
    double cosineAccuracy = cosine(testSet).accuracy(tau);
    int correct = 0;
    float[] probabilities = new float[testSet.pairs().size()];
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] =
          (float) head.probability(testSet.pairs().get(i)[0], testSet.pairs().get(i)[1]);
      correct += (probabilities[i] >= 0.5) == testSet.same()[i] ? 1 : 0;
    }
    double logisticAccuracy = (double) correct / probabilities.length;

    Figures figures =
        new Figures(
            out.toString(),
            features.name(),
            trainSet.pairs().size(),
            testSet.pairs().size(),
            tau,
            cosineAccuracy,
            logisticAccuracy,
            head.crossEntropy(trainSet.pairs(), trainSet.same()),
            head.crossEntropy(testSet.pairs(), testSet.same()));

    String command =
        "semblance " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Report report =
        new Report("Logistic verifier: " + out.getFileName(), command, encoded.embedderId());
    report
        .section("Before and after")
        .paragraph(
            String.format(
                Locale.ROOT,
                "%s features, %d epochs of Adam (%.0e), L2 %.0e; %d training pairs, %d test pairs%s.",
                features,
                epochs,
                learningRate,
                l2,
                trainSet.pairs().size(),
                testSet.pairs().size(),
                test == null
                    ? " (a held-out fifth of the training file)"
                    : " from " + testPairs.getFileName()));
    report.table(
        List.of("decision", "test accuracy"),
        List.of(
            List.of(
                "cosine similarity ≥ "
                    + VerificationFigures.fmt("%.4f", tau)
                    + " (tuned on the training pairs)",
                VerificationFigures.pct(cosineAccuracy)),
            List.of("logistic head probability ≥ 0.5", VerificationFigures.pct(logisticAccuracy))));
    List<Float> sameP = new ArrayList<>();
    List<Float> diffP = new ArrayList<>();
    for (int i = 0; i < probabilities.length; i++) {
      (testSet.same()[i] ? sameP : diffP).add(probabilities[i]);
    }
    report.plot(
        "Test pairs: the head's probability of \"same person\"",
        Charts.histogram(
            "logistic head",
            "same person",
            Floats.toArray(sameP),
            "different people",
            Floats.toArray(diffP),
            Map.of("0.5", 0.5)));
    report.write(Path.of(out + ".html"));
    Report.writeJson(Path.of(out + ".json"), figures);
    System.out.printf(
        Locale.ROOT,
        "logistic head written to %s; test accuracy: cosine %.2f%%, logistic %.2f%%%n",
        out,
        100 * cosineAccuracy,
        100 * logisticAccuracy);
    return Cli.OK;
  }

  /**
   * Pairs with a face in both images; {@code fifth} 0 keeps four fifths, 1 the other fifth, -1 all.
   */
  private static Labelled labelled(
      List<PairsFile.Pair> pairs, Map<Path, Embedding> embeddings, int fifth) {
    List<Embedding[]> kept = new ArrayList<>();
    List<Boolean> same = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      boolean heldOut = i % 5 == 4;
      if ((fifth == 0 && heldOut) || (fifth == 1 && !heldOut)) {
        continue;
      }
      Embedding a = embeddings.get(pairs.get(i).first());
      Embedding b = embeddings.get(pairs.get(i).second());
      if (a != null && b != null) {
        kept.add(new Embedding[] {a, b});
        same.add(pairs.get(i).same());
      }
    }
    boolean[] s = new boolean[same.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = same.get(i);
    }
    return new Labelled(kept, s);
  }

  private static Scores cosine(Labelled set) {
    float[] scores = new float[set.pairs().size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = set.pairs().get(i)[0].similarity(set.pairs().get(i)[1]);
    }
    return Scores.of(scores, set.same());
  }
}
