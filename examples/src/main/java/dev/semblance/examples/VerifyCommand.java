package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Verification;
import dev.semblance.Verifier;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Are the main faces of two images the same person?")
final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IMAGE1")
  Path first;

  @Parameters(index = "1", paramLabel = "IMAGE2")
  Path second;

  @Option(
      names = "--threshold",
      description = "Cosine-similarity threshold (default: the bundled model's, ${DEFAULT-VALUE}).",
      defaultValue = "" + Verifier.DEFAULT_THRESHOLD)
  float threshold;

  @Mixin Cli.JsonOption output;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Override
  public Integer call() {
    try (Encoder encoder = encoderOptions.open()) {
      Face a = encoder.encodeMainFace(first);
      Face b = encoder.encodeMainFace(second);
      Verification v = Verifier.withThreshold(threshold).verify(a, b);
      if (output.json) {
        System.out.println(Json.write(v));
      } else {
        System.out.printf(
            Locale.ROOT,
            "%s: cosine similarity %.4f (L2 distance %.4f), threshold %.4f%n",
            v.match() ? "same person" : "different people",
            v.similarity(),
            v.distance(),
            v.threshold());
      }
      return v.match() ? 0 : 1;
    }
  }
}
