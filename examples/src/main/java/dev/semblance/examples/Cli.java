package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.SemblanceException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code semblance} command line: detect, enroll, identify, verify, embed and demo. */
@Command(
    name = "semblance",
    mixinStandardHelpOptions = true,
    version = "Semblance 0.1.0",
    description = "Face detection, verification and identification on bundled models, offline.",
    subcommands = {
      DetectCommand.class, EnrollCommand.class, IdentifyCommand.class, VerifyCommand.class,
      EmbedCommand.class, EvaluateCommand.class, CalibrateCommand.class, TrainCommand.class, DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Cli {

  /** Options every subcommand shares. */
  static final class EncoderOptions {
    @Option(names = "--flip", description = "Average each face with its mirror image (slower, slightly more accurate).")
    boolean flip;

    @Option(names = "--min-score", defaultValue = "0.65", description = "Minimum detector score (default ${DEFAULT-VALUE}).")
    float minScore;

    @Option(names = "--threads", defaultValue = "0", description = "Threads per inference; 0 lets ONNX Runtime decide.")
    int threads;

    Encoder open() {
      return Encoder.builder()
          .flipAveraging(flip)
          .minDetectionScore(minScore)
          .threads(threads)
          .build();
    }
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new Cli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof SemblanceException || e instanceof UncheckedIOException
          || e instanceof IllegalArgumentException) {
        err.println("semblance: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }
}
