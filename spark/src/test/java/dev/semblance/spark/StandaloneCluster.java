package dev.semblance.spark;

import dev.semblance.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

/**
 * A Spark standalone cluster on this machine, as docs/scale.md says to start one: a {@code
 * SPARK_HOME} whose {@code jars/} holds Spark's jars (the build's Spark class path, less every jar
 * the job jar carries, so that executors can only find Semblance's classes in the shipped job jar),
 * a master and workers of one core each, every one its own JVM; each worker starts its executors as
 * JVMs of their own.
 *
 * <p><b>Thread safety.</b> Not thread-safe: one test drives it.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(90);

  private final Path home;
  private final Path work;
  private final String url;
  private final int webUi;
  private final Process master;
  private final List<Process> workers = new ArrayList<>();

  private StandaloneCluster(Path home, Path work, int port, int webUi) throws IOException {
    this.home = home;
    this.work = work;
    this.url = "spark://127.0.0.1:" + port;
    this.webUi = webUi;
    this.master =
        launch(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--webui-port",
            String.valueOf(webUi));
  }

  /** Starts a master and {@code workers} workers and waits until every worker has registered. */
  static StandaloneCluster start(Path work, Path jobJar, Path sparkClassPath, int workers)
      throws Exception {
    Path home = sparkHome(work.resolve("spark-home"), jobJar, sparkClassPath);
    StandaloneCluster cluster = new StandaloneCluster(home, work, freePort(), freePort());
    try {
      for (int i = 0; i < workers; i++) {
        cluster.workers.add(cluster.startWorker(i));
      }
      cluster.awaitWorkers(workers);
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  String url() {
    return url;
  }

  /** Kills worker {@code i} and its executors with SIGKILL, as a machine that dies. */
  void kill(int i) throws InterruptedException {
    Process worker = workers.get(i);
    worker.descendants().forEach(ProcessHandle::destroyForcibly);
    worker.destroyForcibly().waitFor();
  }

  /** Starts worker {@code i} again and waits until the master has it. */
  void restart(int i) throws Exception {
    workers.set(i, startWorker(i));
    awaitWorkers(workers.size());
  }

  private Process startWorker(int i) throws IOException {
    Path dir = Files.createDirectories(work.resolve("worker-" + i));
    return launch(
        "worker-" + i,
        "org.apache.spark.deploy.worker.Worker",
        "--host",
        "127.0.0.1",
        "--cores",
        "1",
        "--memory",
        "2g",
        "--work-dir",
        dir.toString(),
        "--webui-port",
        String.valueOf(freePort()),
        url);
  }

  private Process launch(String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ChildJvm.java());
    command.add("-Xmx512m");
    command.addAll(Arrays.asList(System.getProperty("spark.opens", "").split(" ")));
    command.add("-Dspark.master.rest.enabled=false");
    command.add("-cp");
    command.add(home.resolve("jars") + "/*");
    command.add(mainClass);
    command.addAll(List.of(args));
    command.removeIf(String::isBlank);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve(name + ".log").toFile());
    // What Spark's scripts set: the executors' class path is SPARK_HOME/jars for Scala 2.13.
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    return builder.start();
  }

  private void awaitWorkers(int count) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      if (!master.isAlive()) {
        throw new IllegalStateException("the master died: " + log("master"));
      }
      try {
        String status =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUi + "/json/"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = alive.matcher(status);
        if (m.find() && Integer.parseInt(m.group(1)) == count) {
          return;
        }
      } catch (IOException notYet) {
        // the master's web UI is not up yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        count + " workers did not register in " + START + ": " + log("worker-0"));
  }

  String log(String name) {
    try {
      return Files.readString(work.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * {@code home/jars}: links to Spark's jars, which are the build's Spark class path less the jars
   * whose classes the job jar carries (Semblance, picocli, …); Guava stays, being relocated there.
   */
  private static Path sparkHome(Path home, Path jobJar, Path sparkClassPath) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Set<String> carried;
    try (ZipFile job = new ZipFile(jobJar.toFile())) {
      carried = job.stream().map(e -> e.getName()).collect(Collectors.toSet());
    }
    for (String entry : Files.readString(sparkClassPath).strip().split(":")) {
      Path jar = Path.of(entry);
      if (!carried.contains(firstClass(jar))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
      }
    }
    return home;
  }

  private static String firstClass(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream()
          .map(e -> e.getName())
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
          .findFirst()
          .orElse("");
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : workers) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    master.destroyForcibly();
  }
}
