package dev.semblance.spark;

import dev.semblance.SemblanceException;
import java.io.UncheckedIOException;
import org.apache.spark.sql.AnalysisException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code semblance-spark}: the Spark jobs from the command line, in local mode or under {@code
 * spark-submit}. Exit codes as {@code semblance}'s: 0 done, 2 usage, 3 bad input, 4 internal error.
 */
@Command(
    name = "semblance-spark",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    description = "Encode, identify and self-search face collections with Apache Spark.",
    subcommands = {
      EncodeCommand.class,
      IdentifyCommand.class,
      SelfSearchCommand.class,
      ClusterCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SparkCli {

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new SparkCli()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Throwable cause = rootCause(e);
          if (cause instanceof SemblanceException
              || cause instanceof IllegalArgumentException
              || cause instanceof UncheckedIOException
              || cause instanceof AnalysisException) {
            commandLine.getErr().println("semblance-spark: " + cause.getMessage());
            return 3;
          }
          commandLine.getErr().println("semblance-spark: internal error: " + e);
          e.printStackTrace(commandLine.getErr());
          return 4;
        });
    return cli.execute(args);
  }

  /** Spark wraps a task's exception; the user needs the one that says what was wrong. */
  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof IllegalArgumentException || t instanceof SemblanceException) {
        return t;
      }
      t = t.getCause();
    }
    return t;
  }
}
