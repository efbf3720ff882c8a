package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.SemblanceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code semblance} command line. Each command parses its options (picocli), computes with the
 * library, and renders the result as text or, with {@code --json}, as JSON.
 */
@Command(
    name = "semblance",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Cli.Version.class,
    description = "Face detection, verification and identification on bundled models, offline.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:done; for verify, the same person",
      " 1:no match: verify found different people; enroll enrolled nobody",
      " 2:usage: an unknown, missing or malformed option",
      " 3:bad input: an unreadable image, file, gallery, model or key",
      " 4:internal error (a bug: please report it with --verbose output)"
    },
    subcommands = {
      DetectCommand.class,
      EnrollCommand.class,
      IdentifyCommand.class,
      VerifyCommand.class,
      EmbedCommand.class,
      ClusterCommand.class,
      EvaluateCommand.class,
      CalibrateCommand.class,
      TrainCommand.class,
      DemoCommand.class,
      ServeCommand.class,
      WatchCommand.class,
      KeysCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Cli {
  static final int OK = 0;
  static final int NO_MATCH = 1;
  static final int USAGE = 2;
  static final int BAD_INPUT = 3;
  static final int INTERNAL_ERROR = 4;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Log what the library does (INFO) on standard error.")
  boolean verbose;

  /** Options of the encoder, shared by every command that encodes images. */
  static final class EncoderOptions {
    @Option(
        names = "--flip",
        description = "Average each face with its mirror image (slower, slightly more accurate).")
    boolean flip;

    @Option(
        names = "--min-score",
        defaultValue = "0.65",
        description = "Minimum detector score (default ${DEFAULT-VALUE}).")
    float minScore;

    @Option(
        names = "--threads",
        defaultValue = "0",
        description = "Threads per inference; 0 lets ONNX Runtime decide.")
    int threads;

    Encoder open() {
      return open(false, false);
    }

    /** An encoder that also measures quality and liveness, as asked. */
    Encoder open(boolean quality, boolean liveness) {
      return Encoder.builder()
          .flipAveraging(flip)
          .minDetectionScore(minScore)
          .threads(threads)
          .quality(quality)
          .liveness(liveness)
          .build();
    }
  }

  /** {@code --quality} and {@code --liveness}: measure them for every face. */
  static final class AnalysisOptions {
    @Option(
        names = "--quality",
        description =
            "Measure each face's quality: overall score, inter-ocular distance, sharpness,"
                + " exposure, head pose, eyes open.")
    boolean quality;

    @Option(
        names = "--liveness",
        description = "Score each face's liveness (a live person, not a photo of a photo).")
    boolean liveness;

    /** The measured quality and liveness of a face as text, or "" when none was measured. */
    static String describe(Face face) {
      StringBuilder s = new StringBuilder();
      face.quality()
          .ifPresent(
              q ->
                  s.append(
                      String.format(
                          Locale.ROOT,
                          "  quality %.2f (eyes %.0f px apart, sharpness %.0f, brightness %.2f,"
                              + " yaw %.0f° pitch %.0f° roll %.0f°, eyes open %.2f/%.2f)",
                          q.score(),
                          q.interOcularDistance(),
                          q.sharpness(),
                          q.brightness(),
                          q.yaw(),
                          q.pitch(),
                          q.roll(),
                          q.leftEyeOpen(),
                          q.rightEyeOpen())));
      face.liveness()
          .ifPresent(
              l ->
                  s.append(
                      String.format(
                          Locale.ROOT, "  %s %.2f", l.live() ? "live" : "NOT LIVE", l.score())));
      return s.toString();
    }
  }

  /** {@code --json}: the result as JSON on standard output instead of text. */
  static final class JsonOption {
    @Option(names = "--json", description = "Print the result as JSON instead of text.")
    boolean json;
  }

  /** {@code --cache FILE}: where encodings of unchanged images are kept between runs. */
  static final class CacheOption {
    @Option(
        names = "--cache",
        paramLabel = "FILE",
        description = "Embedding cache: images unchanged since the last run are not encoded again.")
    Path file;

    /** The cache file, or {@code fallback} when none was named. */
    Path orElse(Path fallback) {
      return file != null ? file : fallback;
    }
  }

  /** {@code --out-dir DIR}: where an evaluation's report.html and report.json go. */
  static final class ReportDirOption {
    @Option(
        names = "--out-dir",
        defaultValue = "evaluation",
        paramLabel = "DIR",
        description = "Where report.html and report.json go (default ${DEFAULT-VALUE}).")
    Path dir;
  }

  /** The version of this build, from the pom (filtered into version.properties). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Semblance " + number()};
    }

    /** The version number, e.g. {@code 0.1.0}. */
    static String number() {
      Properties p = new Properties();
      try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new IllegalStateException("version.properties is missing from the CLI's jar");
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the CLI's version: " + e, e);
      }
      return p.getProperty("version");
    }
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args));
  }

  static int run(String... args) {
    // Before the first logger exists: the library logs INFO only when asked to.
    boolean verbose = Arrays.asList(args).contains("--verbose");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
    if (args.length > 0 && args[0].equals("serve")) {
      // A service's log: when it started, where it listens, and the audit of every change.
      System.setProperty("org.slf4j.simpleLogger.log.dev.semblance.server", "info");
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    }
    return commandLine(verbose).execute(args);
  }

  /** The command tree, with failures mapped to the documented exit codes. */
  static CommandLine commandLine(boolean verbose) {
    CommandLine cli = new CommandLine(new Cli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (isBadInput(e)) {
            err.println("semblance: " + e.getMessage());
            return BAD_INPUT;
          }
          err.println("semblance: internal error: " + e);
          if (verbose) {
            e.printStackTrace(err);
          }
          return INTERNAL_ERROR;
        });
    return cli;
  }

  private static boolean isBadInput(Exception e) {
    return e instanceof SemblanceException
        || e instanceof UncheckedIOException
        || e instanceof IllegalArgumentException;
  }
}
