package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.GalleryDirectory;
import dev.semblance.QualityPolicy;
import dev.semblance.Verifier;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.SemblanceServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    description = {
      "Serve a gallery over HTTP: the REST API under /api/v1, a web page at /, /health,"
          + " /metrics and /openapi.json. Create an API key first: keys add --dir DIR.",
      "  serve --dir DIR [--port 8080] [--bind 127.0.0.1]"
    })
final class ServeCommand implements Callable<Integer> {
  /** Where a gallery key may come from besides a file: never the command line. */
  static final String KEY_VARIABLE = "SEMBLANCE_GALLERY_KEY";

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description =
          "The service's folder: its gallery (DIR/gallery) and API keys (DIR/api-keys.tsv).")
  Path dir;

  @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String bind;

  @Option(
      names = "--key-file",
      paramLabel = "FILE",
      description =
          "AES key of an encrypted gallery (16, 24 or 32 bytes, raw or Base64); or set "
              + KEY_VARIABLE
              + " to it in Base64.")
  Path keyFile;

  @Option(
      names = "--rate-limit",
      defaultValue = "20",
      paramLabel = "N",
      description =
          "Requests per second per API key, on average (default ${DEFAULT-VALUE}; 0: none).")
  double rateLimit;

  @Option(
      names = "--burst",
      defaultValue = "40",
      paramLabel = "N",
      description = "Requests a key may make at once (default ${DEFAULT-VALUE}).")
  int burst;

  @Option(
      names = "--max-body-mb",
      defaultValue = "16",
      paramLabel = "MB",
      description = "Largest request body in MiB (default ${DEFAULT-VALUE}).")
  int maxBodyMb;

  @Option(
      names = "--min-quality",
      paramLabel = "SCORE",
      description = "Refuse enrolments below this overall quality (default 0.7).")
  Float minQuality;

  @Option(
      names = "--require-live",
      description =
          "Measure liveness; refuse enrolments, and verify matches, of faces the model takes for a"
              + " replayed photo.")
  boolean requireLive;

  @Option(
      names = "--cors-origin",
      paramLabel = "URL",
      description = "An origin whose pages may call the API (repeatable); none by default.")
  List<String> corsOrigins = new ArrayList<>();

  @Mixin Cli.EncoderOptions encoderOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Encoder encoder = encoderOptions.open(true, requireLive);
    Gallery gallery;
    try {
      GalleryDirectory directory = Gallery.directory(dir.resolve("gallery")).embedder(encoder);
      String variable = System.getenv(KEY_VARIABLE);
      if (keyFile != null) {
        directory.encryptionKey(GalleryLocation.readKey(keyFile));
      } else if (variable != null && !variable.isBlank()) {
        directory.encryptionKey(
            GalleryLocation.key(variable.getBytes(StandardCharsets.US_ASCII), "$" + KEY_VARIABLE));
      }
      gallery = directory.open();
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
    QualityPolicy policy = QualityPolicy.DEFAULT;
    if (minQuality != null) {
      policy = policy.withMinScore(minQuality);
    }
    if (requireLive) {
      policy = policy.requiringLiveness();
    }
    SemblanceServer server;
    try {
      server =
          SemblanceServer.builder(encoder, gallery, ApiKeys.open(dir.resolve("api-keys.tsv")))
              .host(bind)
              .port(port)
              .rateLimit(rateLimit, burst)
              .maxBodyBytes((long) maxBodyMb << 20)
              .enrolmentPolicy(policy)
              .verifier(
                  requireLive
                      ? Verifier.withDefaultThreshold().requiringLiveness()
                      : Verifier.withDefaultThreshold())
              .corsOrigins(corsOrigins)
              .start();
    } catch (RuntimeException e) {
      gallery.close();
      encoder.close();
      throw e;
    }
    // SIGTERM or Ctrl-C stops the server; the caller's thread then closes the rest.
    Thread stop = new Thread(server::close);
    Runtime.getRuntime().addShutdownHook(stop);
    spec.commandLine().getErr().println("semblance: serving " + server.uri() + " (Ctrl-C stops)");
    spec.commandLine().getErr().flush();
    boolean interrupted = false;
    try {
      server.awaitStop();
    } catch (InterruptedException e) {
      interrupted = true; // an embedding program stops the command: close first, then say so
    } finally {
      server.close();
      gallery.close();
      encoder.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stop);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return Cli.OK;
  }
}
