package dev.semblance.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.TemplateStoreException;
import dev.semblance.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections as a server makes them: through TLS signed by a private CA, with a user and password,
 * to a real node behind a TLS-terminating proxy that asks for HTTP basic credentials as the
 * security plugin does.
 */
class OpenSearchConnectionTest {
  private static final String USER = "semblance";
  private static final String PASSWORD = "s3cret:with colon";

  @TempDir static Path dir;
  private static TestCluster cluster;
  private static SSLServerSocket proxy;
  private static Path caFile;
  private static final AtomicInteger credentialed = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(dir.resolve("node"));
    Path keystore = dir.resolve("proxy.p12");
    caFile = dir.resolve("ca.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "proxy",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "proxy",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        caFile.toString());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    proxy =
        (SSLServerSocket)
            tls.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(OpenSearchConnectionTest::accept, "tls-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void keytool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = Path.of(ChildJvm.java()).resolveSibling("keytool").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
  }

  /** Each connection: TLS in, the first request's credentials checked, then bytes both ways. */
  private static void accept() {
    while (!proxy.isClosed()) {
      try {
        Socket client = proxy.accept();
        Thread t = new Thread(() -> relay(client));
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void relay(Socket client) {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    try (client;
        Socket node = new Socket("127.0.0.1", cluster.address().getPort())) {
      InputStream in = client.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.write(b);
      }
      boolean authorised =
          head.toString(StandardCharsets.ISO_8859_1)
              .lines()
              .anyMatch(
                  l ->
                      l.equalsIgnoreCase("Authorization: " + expected)
                          || l.equals("Authorization: " + expected));
      if (!authorised) {
        client
            .getOutputStream()
            .write(
                ("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"OpenSearch\"\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
        return;
      }
      credentialed.incrementAndGet();
      node.getOutputStream().write(head.toByteArray());
      Thread back =
          new Thread(
              () -> {
                try {
                  node.getInputStream().transferTo(client.getOutputStream());
                } catch (IOException e) {
                  // either side closed
                }
              });
      back.setDaemon(true);
      back.start();
      in.transferTo(node.getOutputStream());
      back.join();
    } catch (IOException | InterruptedException e) {
      // either side closed
    }
  }

  private static URI proxied() {
    return URI.create("https://127.0.0.1:" + proxy.getLocalPort());
  }

  @Test
  void aGalleryIsServedThroughTlsWithCredentials() {
    try (OpenSearchConnection connection =
        OpenSearchConnection.to(proxied())
            .credentials(USER, PASSWORD)
            .trustedCertificate(caFile)
            .open()) {
      Gallery gallery =
          OpenSearchGallery.builder(connection.client(), "tls")
              .embedder("test-embedder", 3)
              .openOrCreate();
      gallery.enroll("alice", Embedding.of(new float[] {1, 0, 0}));
      gallery.enroll("bob", Embedding.of(new float[] {0, 1, 0}));
      assertThat(
              gallery
                  .identify(Embedding.of(new float[] {0.9f, 0.1f, 0}), 1)
                  .candidates()
                  .get(0)
                  .identity())
          .isEqualTo("alice");
      // A second replica opens what the first created.
      assertThat(
              OpenSearchGallery.builder(connection.client(), "tls")
                  .embedder("test-embedder", 3)
                  .openOrCreate()
                  .identities())
          .containsExactly("alice", "bob");
    }
    assertThat(credentialed.get()).as("connections that showed the credentials").isPositive();
  }

  @Test
  void aClusterNotTrustedOrNotAuthorisedIsRefusedWithAReason() throws IOException {
    try (OpenSearchConnection untrusted =
        OpenSearchConnection.to(proxied()).credentials(USER, PASSWORD).open()) {
      assertThatThrownBy(
              () ->
                  OpenSearchGallery.builder(untrusted.client(), "tls2")
                      .embedder("test-embedder", 3)
                      .openOrCreate())
          .isInstanceOf(TemplateStoreException.class)
          .hasMessageContaining("tls2");
    }
    try (OpenSearchConnection anonymous =
        OpenSearchConnection.to(proxied()).trustedCertificate(caFile).open()) {
      assertThatThrownBy(
              () ->
                  OpenSearchGallery.builder(anonymous.client(), "tls2")
                      .embedder("test-embedder", 3)
                      .openOrCreate())
          .isInstanceOf(TemplateStoreException.class)
          .hasMessageContaining("Unauthorized");
    }
    Path notPem = dir.resolve("not.pem");
    Files.writeString(notPem, "hello");
    assertThatThrownBy(() -> OpenSearchConnection.to(proxied()).trustedCertificate(notPem).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not.pem");
    assertThatThrownBy(() -> OpenSearchConnection.to(URI.create("ftp://x:1")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
