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

  @Option(
      names = "--require-live",
      description =
          "IMAGE1 is the live capture: no match unless the liveness model takes it for a live"
              + " person rather than a photo of a photo or a screen.")
  boolean requireLive;

  @Mixin Cli.JsonOption output;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Override
  public Integer call() {
    try (Encoder encoder = encoderOptions.open(false, requireLive)) {
      Face a = encoder.encodeMainFace(first);
      Face b = encoder.encodeMainFace(second);
      Verifier verifier = Verifier.withThreshold(threshold);
      Verification v = (requireLive ? verifier.requiringLiveness() : verifier).verify(a, b);
      if (output.json) {
        System.out.println(Json.write(v));
      } else {
        String verdict =
            v.liveness().map(l -> !l.live()).orElse(false)
                ? "not a live capture"
                : v.match() ? "same person" : "different people";
        System.out.printf(
            Locale.ROOT,
            "%s: cosine similarity %.4f (L2 distance %.4f), threshold %.4f%s%n",
            verdict,
            v.similarity(),
            v.distance(),
            v.threshold(),
            v.liveness()
                .map(
                    l ->
                        String.format(
                            Locale.ROOT,
                            "; liveness %.3f, threshold %.3f",
                            l.score(),
                            l.threshold()))
                .orElse(""));
      }
      return v.match() ? 0 : 1;
    }
  }
}
