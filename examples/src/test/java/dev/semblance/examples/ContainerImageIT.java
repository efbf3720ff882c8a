package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Splitter;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container image the build made ({@code target/semblance-image.tar}), run as a container
 * runtime runs it: its layers unpacked into a root filesystem, its configured entry command and
 * user, in new PID and mount namespaces rooted there ({@code unshare}, as root). This machine has
 * no Docker daemon; where {@code unshare} cannot be used the same entry command runs on the host
 * against the unpacked files, and the test says so.
 */
class ContainerImageIT {
  private static final Logger log = LoggerFactory.getLogger(ContainerImageIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theImageServesTheApiFromItsOwnRootFilesystem() throws Exception {
    byte[] photo = Files.readAllBytes(TestData.dir("tv-characters").resolve("penny/penny1.png"));
    Path image = Path.of("target", "semblance-image.tar");
    assertThat(image).as("built by the package phase").exists();
    Path unpacked = dir.resolve("image");
    Path root = dir.resolve("root");
    Files.createDirectories(unpacked);
    Files.createDirectories(root);
    run("tar", "-xf", image.toAbsolutePath().toString(), "-C", unpacked.toString());
    JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
    for (JsonNode layer : manifest.get("Layers")) {
      run("tar", "-xzf", unpacked.resolve(layer.asText()).toString(), "-C", root.toString());
    }
    JsonNode config =
        JSON.readTree(unpacked.resolve(manifest.get("Config").asText()).toFile()).get("config");
    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
    assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/data");
    List<String> command = new ArrayList<>();
    config.get("Entrypoint").forEach(a -> command.add(a.asText()));
    config.get("Cmd").forEach(a -> command.add(a.asText()));
    assertThat(command).startsWith("/opt/java/bin/java").contains("serve", "/data");

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    command.set(command.indexOf("--port") + 1, String.valueOf(port));
    String door =
        ApiKeys.open(root.resolve("data/api-keys.tsv")).add(Role.RECOGNIZE, "door").secret();
    List<String> launch = new ArrayList<>();
    if (isolationAvailable()) {
      run("chown", "-R", "65532:65532", root.resolve("data").toString());
      Files.createDirectories(root.resolve("proc")); // a runtime's mount point, as Docker's

      launch.addAll(
          List.of(
              "unshare",
              "--fork",
              "--pid",
              "--mount",
              "--mount-proc=/proc",
              "--kill-child=SIGTERM",
              "--root=" + root,
              "--wd=/data",
              "--setuid=65532",
              "--setgid=65532"));
      launch.addAll(command);
    } else {
      log.warn("unshare is not available here: the image's entry command runs on the host");
      for (String part : command) {
        launch.add(onHost(part, root));
      }
    }
    long started = System.nanoTime();
    Process server =
        new ProcessBuilder(launch)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("container.log").toFile())
            .start();
    try {
      URI base = URI.create("http://127.0.0.1:" + port + "/");
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int ready = 0;
      while (ready != 200) {
        assertThat(server.isAlive())
            .as("the container: %s", Files.readString(dir.resolve("container.log")))
            .isTrue();
        assertThat(System.nanoTime()).as("ready in time").isLessThan(deadline);
        Thread.sleep(200);
        try {
          ready =
              http.send(
                      HttpRequest.newBuilder(base.resolve("health/ready")).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode();
        } catch (IOException e) {
          // not listening yet
        }
      }
      HttpResponse<String> detected =
          http.send(
              HttpRequest.newBuilder(base.resolve("api/v1/detect"))
                  .header("X-Api-Key", door)
                  .header("Content-Type", "multipart/form-data; boundary=b")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(form(photo)))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      log.info("ready {} s after start", (System.nanoTime() - started) / 1_000_000_000);
      assertThat(detected.statusCode()).as(detected.body()).isEqualTo(200);
      assertThat(JSON.readTree(detected.body()).get("faces")).hasSize(1);
      // The models ran inside: the gallery directory was made there, by the image's user.
      assertThat(root.resolve("data/gallery")).isDirectory();
    } finally {
      long stopping = System.nanoTime();
      // SIGTERM to the JVM, as a runtime stops a container (unshare itself ignores it): the
      // server drains and stops.
      List<ProcessHandle> jvm = server.toHandle().children().toList();
      (jvm.isEmpty() ? List.of(server.toHandle()) : jvm).forEach(ProcessHandle::destroy);
      boolean stopped = server.waitFor(60, TimeUnit.SECONDS);
      if (!stopped) { // unshare's --kill-child does not survive --setuid: kill the JVM itself
        jvm.forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
      }
      log.info("stopped in {} ms", (System.nanoTime() - stopping) / 1_000_000);
      assertThat(stopped).as("stopped on SIGTERM").isTrue();
    }
  }

  private static byte[] form(byte[] photo) {
    byte[] head =
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = "\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[head.length + photo.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(photo, 0, body, head.length, photo.length);
    System.arraycopy(tail, 0, body, head.length + photo.length, tail.length);
    return body;
  }

  /** Whether this process may make namespaces and change root: root with unshare at hand. */
  private static boolean isolationAvailable() throws Exception {
    try {
      Process probe =
          new ProcessBuilder("unshare", "--fork", "--pid", "--mount", "--root=/", "true")
              .redirectErrorStream(true)
              .start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** A part of the entry command with the image's absolute paths moved under {@code root}. */
  private static String onHost(String part, Path root) throws IOException {
    if (part.startsWith("@/")) { // a class path file: each entry moved too
      Path file = root.resolve(part.substring(2));
      List<String> entries = new ArrayList<>();
      for (String entry : Splitter.on(':').split(Files.readString(file).trim())) {
        entries.add(root + entry);
      }
      Path moved = root.resolve("host-classpath");
      Files.writeString(moved, String.join(":", entries));
      return "@" + moved;
    }
    return part.startsWith("/") ? root + part : part;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
  }
}
