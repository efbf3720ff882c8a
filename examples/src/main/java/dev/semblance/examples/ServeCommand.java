package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.GalleryDirectory;
import dev.semblance.QualityPolicy;
import dev.semblance.Verifier;
import dev.semblance.opensearch.OpenSearchConnection;
import dev.semblance.opensearch.OpenSearchGallery;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.SemblanceServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
      "  serve --dir DIR [--port 8080] [--bind 127.0.0.1]",
      "  serve --dir DIR --opensearch URL --index NAME   (replicas share one index)"
    })
final class ServeCommand implements Callable<Integer> {
  /** Where a gallery key may come from besides a file: never the command line. */
  static final String KEY_VARIABLE = "SEMBLANCE_GALLERY_KEY";

  /** Where the OpenSearch password may come from besides a file: never the command line. */
  static final String PASSWORD_VARIABLE = "SEMBLANCE_OPENSEARCH_PASSWORD";

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description =
          "The service's folder: its API keys (DIR/api-keys.tsv) and, without --opensearch, its"
              + " gallery (DIR/gallery).")
  Path dir;

  @Option(
      names = "--opensearch",
      paramLabel = "URL",
      description =
          "Keep the gallery in an OpenSearch cluster with the k-NN plugin (http(s)://HOST:PORT),"
              + " shared by every replica started with the same --index.")
  URI opensearch;

  @Option(
      names = "--index",
      paramLabel = "NAME",
      description = "The gallery's OpenSearch index (created by the first replica to start).")
  String index;

  @Option(
      names = "--opensearch-user",
      paramLabel = "USER",
      description =
          "User for OpenSearch; the password is read from --opensearch-password-file or $"
              + PASSWORD_VARIABLE
              + ".")
  String opensearchUser;

  @Option(
      names = "--opensearch-password-file",
      paramLabel = "FILE",
      description = "A file holding the OpenSearch user's password.")
  Path opensearchPasswordFile;

  @Option(
      names = "--opensearch-ca",
      paramLabel = "FILE",
      description = "PEM file of the CA that signed OpenSearch's TLS certificate.")
  Path opensearchCa;

  @Option(
      names = "--trusted-proxy",
      paramLabel = "ADDRESS",
      description =
          "A reverse proxy whose X-Forwarded-For the audit log believes (repeatable); none by"
              + " default.")
  List<String> trustedProxies = new ArrayList<>();

  @Option(
      names = "--drain-seconds",
      defaultValue = "0",
      paramLabel = "S",
      description =
          "On SIGTERM, answer readiness 503 and keep serving this long before refusing new"
              + " requests (default ${DEFAULT-VALUE}; a few seconds behind a load balancer).")
  int drainSeconds;

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
    if ((opensearch == null) != (index == null)) {
      throw new IllegalArgumentException("--opensearch and --index go together");
    }
    if (opensearch == null
        && (opensearchUser != null || opensearchPasswordFile != null || opensearchCa != null)) {
      throw new IllegalArgumentException("--opensearch-* options need --opensearch URL");
    }
    OpenSearchConnection cluster = opensearch == null ? null : connect();
    Encoder encoder;
    Gallery gallery;
    try {
      encoder = encoderOptions.open(true, requireLive);
    } catch (RuntimeException e) {
      closeQuietly(cluster);
      throw e;
    }
    try {
      gallery =
          cluster != null
              ? OpenSearchGallery.builder(cluster.client(), index).embedder(encoder).openOrCreate()
              : openDirectory(encoder);
    } catch (RuntimeException e) {
      encoder.close();
      closeQuietly(cluster);
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
              .trustedProxies(trustedProxies)
              .drainDelay(Duration.ofSeconds(drainSeconds))
              .start();
    } catch (RuntimeException e) {
      gallery.close();
      encoder.close();
      closeQuietly(cluster);
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
      closeQuietly(cluster);
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

  private Gallery openDirectory(Encoder encoder) {
    GalleryDirectory directory = Gallery.directory(dir.resolve("gallery")).embedder(encoder);
    String variable = System.getenv(KEY_VARIABLE);
    if (keyFile != null) {
      directory.encryptionKey(GalleryDirectory.readKey(keyFile));
    } else if (variable != null && !variable.isBlank()) {
      directory.encryptionKey(
          GalleryDirectory.key(variable.getBytes(StandardCharsets.US_ASCII), "$" + KEY_VARIABLE));
    }
    return directory.open();
  }

  private OpenSearchConnection connect() throws IOException {
    if (keyFile != null) {
      throw new IllegalArgumentException(
          "--key-file encrypts a gallery directory; an OpenSearch index is protected by the"
              + " cluster");
    }
    OpenSearchConnection.Builder connection = OpenSearchConnection.to(opensearch);
    if (opensearchUser != null) {
      String password =
          opensearchPasswordFile != null
              ? Files.readString(opensearchPasswordFile).strip()
              : System.getenv(PASSWORD_VARIABLE);
      if (password == null) {
        throw new IllegalArgumentException(
            "--opensearch-user needs a password: --opensearch-password-file FILE or $"
                + PASSWORD_VARIABLE);
      }
      connection.credentials(opensearchUser, password);
    }
    if (opensearchCa != null) {
      connection.trustedCertificate(opensearchCa);
    }
    return connection.open();
  }

  private static void closeQuietly(OpenSearchConnection cluster) {
    if (cluster != null) {
      cluster.close();
    }
  }
}
