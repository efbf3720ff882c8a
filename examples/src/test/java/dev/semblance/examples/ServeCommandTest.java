package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code keys} and {@code serve}: a key made on the command line opens the served API. */
class ServeCommandTest {
  @TempDir Path dir;

  private record Served(Thread thread, AtomicInteger exit, StringWriter err, URI uri) {}

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine(false);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  private static Served serve(String... args) throws InterruptedException {
    StringWriter err = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    CommandLine cli = Cli.commandLine(false);
    cli.setErr(new PrintWriter(err, true));
    Thread thread = new Thread(() -> exit.set(cli.execute(args)));
    thread.start();
    Pattern serving = Pattern.compile("serving (http://\\S+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && thread.isAlive()) {
      Matcher m = serving.matcher(err.toString());
      if (m.find()) {
        return new Served(thread, exit, err, URI.create(m.group(1)));
      }
      Thread.sleep(50);
    }
    thread.join(10_000);
    return new Served(thread, exit, err, null);
  }

  private static HttpResponse<String> post(URI base, String key, String subject, Path photo)
      throws Exception {
    String boundary = "b0undary";
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n"
                + subject
                + "\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] image = Files.readAllBytes(photo);
    byte[] body = new byte[head.length + image.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(image, 0, body, head.length, image.length);
    System.arraycopy(tail, 0, body, head.length + image.length, tail.length);
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(base.resolve("api/v1/subjects"))
                .header("X-Api-Key", key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aKeyFromTheCommandLineOpensTheServedApiUntilRevoked() throws Exception {
    Path photo = TestData.dir("tv-characters").resolve("penny/penny1.png");
    Path keyFile = dir.resolve("gallery.key");
    Files.writeString(keyFile, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    String[] added =
        run("keys", "add", "--dir", dir.toString(), "--role", "admin", "--label", "ci");
    assertThat(added[0]).isEqualTo("0");
    String key = added[1].trim();
    assertThat(key).startsWith("smb_");
    String id = key.substring(4, key.indexOf('_', 4));
    assertThat(run("keys", "list", "--dir", dir.toString())[1]).contains(id).contains("admin");

    Served served =
        serve("serve", "--dir", dir.toString(), "--port", "0", "--key-file", keyFile.toString());
    assertThat(served.uri()).as("%s", served.err()).isNotNull();
    try {
      assertThat(post(served.uri(), key, "Penny Secretname", photo).statusCode()).isEqualTo(201);
      assertThat(run("keys", "revoke", "--dir", dir.toString(), id)[0]).isEqualTo("0");
      HttpResponse<String> refused = post(served.uri(), key, "Other", photo);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).contains("revoked_key");
    } finally {
      served.thread().interrupt();
      served.thread().join(30_000);
    }
    assertThat(served.exit().get()).isEqualTo(0);
    assertThat(run("keys", "revoke", "--dir", dir.toString(), id)[0]).as("twice").isEqualTo("3");

    // The gallery was encrypted with the key file: the name is nowhere on disk, and the
    // service does not start without the key.
    try (Stream<Path> files = Files.list(dir.resolve("gallery"))) {
      for (Path file : files.toList()) {
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
            .doesNotContain("Secretname");
      }
    }
    Served keyless = serve("serve", "--dir", dir.toString(), "--port", "0");
    assertThat(keyless.uri()).isNull();
    assertThat(keyless.exit().get()).isEqualTo(Cli.BAD_INPUT);
    assertThat(keyless.err().toString()).contains("encrypted");
  }

  @Test
  void anOpenSearchGalleryIsAskedForWithItsIndexAndAReachableCluster() throws Exception {
    String[] alone = run("serve", "--dir", dir.toString(), "--opensearch", "http://127.0.0.1:9200");
    assertThat(alone[0]).isEqualTo(String.valueOf(Cli.BAD_INPUT));
    assertThat(alone[2]).contains("--opensearch and --index go together");
    String[] plainTls =
        run(
            "serve",
            "--dir",
            dir.toString(),
            "--opensearch",
            "http://127.0.0.1:9200",
            "--index",
            "staff",
            "--opensearch-ca",
            dir.resolve("ca.pem").toString());
    assertThat(plainTls[2]).contains("is plain http");
    String[] noPassword =
        run(
            "serve",
            "--dir",
            dir.toString(),
            "--opensearch",
            "http://127.0.0.1:9200",
            "--index",
            "staff",
            "--opensearch-user",
            "semblance");
    assertThat(noPassword[2]).contains("--opensearch-password-file");
    // Nothing listens on port 1: the cluster is named in the error, and the command fails.
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Served unreachable =
        serve(
            "serve",
            "--dir",
            dir.toString(),
            "--port",
            "0",
            "--opensearch",
            "http://127.0.0.1:" + closedPort,
            "--index",
            "staff");
    assertThat(unreachable.uri()).isNull();
    assertThat(unreachable.exit().get()).isNotEqualTo(Cli.OK);
    assertThat(unreachable.err().toString()).contains("staff").contains("OpenSearch");
  }
}
