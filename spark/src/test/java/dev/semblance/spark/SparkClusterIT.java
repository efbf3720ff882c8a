package dev.semblance.spark;

import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Calibration;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.clustering.Cluster;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on a real Spark standalone cluster — a master and two one-core workers, each its own
 * JVM, started from Spark's jars as docs/scale.md says — through {@code bin/semblance-spark
 * --master spark://…}, which must ship the job jar: encode (with one worker and its executor killed
 * by SIGKILL in the middle of the job), identify, self-search and cluster, each answer compared
 * with the single-JVM library's on the same faces (as {@code SparkJobsTest} compares local mode's).
 * Runs after {@code package}, which builds the job jar.
 */
class SparkClusterIT {
  private static final Duration JOB = Duration.ofMinutes(5);
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @TempDir static Path work;
  private static StandaloneCluster cluster;
  private static Path photos;
  private static Path parquet;
  private static String encodeLog;

  /** Face key (path#face) → embedding, as the cluster's encode wrote them. */
  private static Map<String, float[]> encoded;

  /** Image path (as Spark names it) → its reason row (unreadable, no face). */
  private static Map<String, String> reasons;

  /** The embedder of the encoded faces, as the encode job wrote it. */
  private static String embedderId;

  /** The gallery identify searched: the first face of every other person. */
  private static Gallery gallery;

  private static final float PAIR_THRESHOLD = 0.4f;

  @BeforeAll
  static void encodeOnTheClusterWhileAWorkerDies() throws Exception {
    photos = Files.createDirectories(work.resolve("photos")).toRealPath();
    try (Stream<Path> people = Files.list(TestData.dir("lfw-dev/images"))) {
      int taken = 0;
      for (Path person : people.sorted().toList()) {
        List<Path> images;
        try (Stream<Path> files = Files.list(person)) {
          images = files.sorted().limit(4).toList();
        }
        if (images.size() < 2) {
          continue;
        }
        Path copy = Files.createDirectories(photos.resolve(person.getFileName()));
        for (Path image : images) {
          Files.copy(image, copy.resolve(image.getFileName()));
        }
        if (++taken == 25) {
          break;
        }
      }
    }
    Files.writeString(photos.resolve("broken.jpg"), "not a jpeg");
    cluster =
        StandaloneCluster.start(
            work.resolve("cluster"),
            ROOT.resolve("spark/target/semblance-spark-job.jar"),
            ROOT.resolve("spark/target/spark-classpath.txt"),
            2);

    parquet = work.resolve("faces.parquet");
    Path log = work.resolve("encode.log");
    Process encode =
        semblanceSpark(
            log,
            "encode",
            "--in",
            photos.toString(),
            "--out",
            parquet.toString(),
            // Two photos a task: enough tasks that the kill falls between them.
            "--conf",
            "spark.sql.files.maxPartitionBytes=8400000");
    awaitFirstTask(encode, log);
    cluster.kill(0);
    finish(encode, log);
    encodeLog = Files.readString(log);
    cluster.restart(0);

    try (SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("reading the cluster's output")
            .config("spark.ui.enabled", "false")
            .getOrCreate()) {
      encoded = new TreeMap<>();
      reasons = new TreeMap<>();
      for (Row r : spark.read().parquet(parquet.toString()).collectAsList()) {
        String path = r.getString(r.fieldIndex(FaceColumns.PATH));
        String reason = r.getString(r.fieldIndex(FaceColumns.REASON));
        if (reason != null) {
          reasons.put(path, reason);
        } else {
          float[] e = SparkFaces.floats(r, r.fieldIndex(FaceColumns.EMBEDDING));
          String key = path + "#" + r.getInt(r.fieldIndex(FaceColumns.FACE));
          embedderId = r.getString(r.fieldIndex(FaceColumns.EMBEDDER));
          assertThat(encoded.put(key, e)).as("one row per face: %s", key).isNull();
        }
      }
    }

    // identify, self-search and cluster as three applications at once, one core each: the
    // cluster runs two at a time and starts the third when a core frees.
    gallery = Gallery.create(embedderId, 512);
    List<String> keys = new ArrayList<>(encoded.keySet());
    List<String> people = keys.stream().map(SparkClusterIT::person).distinct().sorted().toList();
    for (int p = 0; p < people.size(); p += 2) {
      String person = people.get(p);
      String first = keys.stream().filter(k -> person(k).equals(person)).findFirst().orElseThrow();
      gallery.enroll(person, Embedding.of(encoded.get(first)));
    }
    Path galleryFile = work.resolve("people.gallery");
    gallery.save(galleryFile);
    Map<String, Process> jobs = new TreeMap<>();
    jobs.put(
        "identify",
        oneCoreJob(
            "identify",
            "--probes",
            parquet.toString(),
            "--gallery",
            galleryFile.toString(),
            "--out",
            work.resolve("ids.tsv").toString()));
    jobs.put(
        "self-search",
        oneCoreJob(
            "self-search",
            "--in",
            parquet.toString(),
            "--threshold",
            String.valueOf(PAIR_THRESHOLD),
            "--blocks",
            "2",
            "--out",
            work.resolve("pairs.tsv").toString()));
    jobs.put(
        "cluster",
        oneCoreJob("cluster", "--in", parquet.toString(), "--out", clusters().toString()));
    for (Map.Entry<String, Process> job : jobs.entrySet()) {
      finish(job.getValue(), work.resolve(job.getKey() + ".log"));
    }
  }

  private static Path clusters() {
    return work.resolve("clusters.tsv");
  }

  /** A job writing TSV, started now, that takes one core of the cluster. */
  private static Process oneCoreJob(String command, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(args));
    all.addAll(List.of("--format", "tsv", "--conf", "spark.cores.max=1"));
    return semblanceSpark(work.resolve(command + ".log"), all.toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void encodingSurvivesTheKilledWorkerAndEqualsTheLibrary() throws IOException {
    assertThat(encodeLog).as("the worker died while the job ran").contains("Lost executor");
    assertThat(reasons).hasSize(1);
    assertThat(reasons.keySet().iterator().next()).endsWith("broken.jpg");

    List<Path> images;
    try (Stream<Path> files = Files.walk(photos)) {
      images = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    Map<String, float[]> library = new HashMap<>();
    try (Encoder encoder = Encoder.builder().build()) {
      List<Path> readable = images.stream().filter(p -> !p.endsWith("broken.jpg")).toList();
      List<List<Face>> faces = encoder.encodeAll(readable);
      for (int i = 0; i < readable.size(); i++) {
        for (int f = 0; f < faces.get(i).size(); f++) {
          library.put(
              readable.get(i).toUri().toString().replace("file:///", "file:/") + "#" + f,
              faces.get(i).get(f).embedding().toArray());
        }
      }
    }
    assertThat(encoded.keySet()).isEqualTo(library.keySet());
    library.forEach(
        (key, expected) -> {
          float[] actual = encoded.get(key);
          for (int d = 0; d < expected.length; d++) {
            assertThat(actual[d]).as(key).isCloseTo(expected[d], within(1e-6f));
          }
        });
  }

  @Test
  void identificationOnTheClusterEqualsIdentifyAll() throws Exception {
    List<String> keys = new ArrayList<>(encoded.keySet());
    List<Identification> expected =
        gallery.identifyAll(keys.stream().map(k -> Embedding.of(encoded.get(k))).toList(), 1);
    Map<String, String[]> rows = tsvByFirstColumn(work.resolve("ids.tsv"));
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(keys);
    int matches = 0;
    for (int i = 0; i < keys.size(); i++) {
      String[] row = rows.get(keys.get(i));
      Identification e = expected.get(i);
      assertThat(row[1]).as(keys.get(i)).isEqualTo(e.candidates().get(0).identity());
      assertThat(Float.parseFloat(row[2])).isEqualTo(e.candidates().get(0).similarity());
      assertThat(Boolean.parseBoolean(row[3])).isEqualTo(e.match().isPresent());
      matches += e.match().isPresent() ? 1 : 0;
    }
    assertThat(matches).isPositive().isLessThan(keys.size());
  }

  @Test
  void selfSearchOnTheClusterFindsTheLibrarysPairs() throws Exception {
    float threshold = PAIR_THRESHOLD;
    List<String> keys = new ArrayList<>(encoded.keySet());
    Map<String, Float> expected = new TreeMap<>();
    for (int i = 0; i < keys.size(); i++) {
      for (int j = i + 1; j < keys.size(); j++) {
        float s =
            Embedding.of(encoded.get(keys.get(i)))
                .similarity(Embedding.of(encoded.get(keys.get(j))));
        if (s >= threshold) {
          expected.put(pair(keys.get(i), keys.get(j)), s);
        }
      }
    }
    Map<String, Float> found = new TreeMap<>();
    List<String> lines = Files.readAllLines(work.resolve("pairs.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      assertThat(found.put(pair(f[0], f[1]), Float.parseFloat(f[2]))).as("once: %s", line).isNull();
    }
    assertThat(found.keySet()).isEqualTo(expected.keySet()).hasSizeGreaterThan(20);
    found.forEach((k, s) -> assertThat(s).as(k).isCloseTo(expected.get(k), within(1e-6f)));
  }

  @Test
  void clusteringOnTheClusterEqualsOneJvm() throws Exception {
    List<String> keys = new ArrayList<>(encoded.keySet());
    List<FaceItem> items = new ArrayList<>();
    for (String key : keys) {
      items.add(new FaceItem(Embedding.of(encoded.get(key)), Double.NaN, key));
    }
    FaceClusters oneJvm =
        FaceClusters.of(items, Calibration.bundled(), ClusteringOptions.defaults());
    Set<Set<String>> expected = new HashSet<>();
    for (Cluster c : oneJvm.clusters()) {
      expected.add(c.faces().stream().map(f -> items.get(f).source()).collect(toSet()));
    }
    Map<String, Set<String>> members = new HashMap<>();
    for (Map.Entry<String, String[]> e : tsvByFirstColumn(clusters()).entrySet()) {
      if (!e.getValue()[1].isEmpty()) {
        members.computeIfAbsent(e.getValue()[1], c -> new HashSet<>()).add(e.getKey());
      }
    }
    assertThat(new HashSet<>(members.values())).isEqualTo(expected).hasSizeGreaterThan(10);
  }

  private static String person(String key) {
    Path path = Path.of(key.substring(key.indexOf(':') + 1, key.lastIndexOf('#')));
    return path.getParent().getFileName().toString();
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  /** A TSV file's rows (header skipped) by their first column, every column kept. */
  private static Map<String, String[]> tsvByFirstColumn(Path tsv) throws IOException {
    Map<String, String[]> rows = new HashMap<>();
    List<String> lines = Files.readAllLines(tsv);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t", -1);
      assertThat(rows.put(f[0], f)).as("one row per probe: %s", f[0]).isNull();
    }
    return rows;
  }

  /** Runs {@code bin/semblance-spark} on the cluster, as a user would. */
  private static Process semblanceSpark(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/semblance-spark").toString());
    command.addAll(List.of(args));
    command.addAll(
        List.of(
            "--master",
            cluster.url(),
            "--conf",
            "spark.executor.memory=1g",
            "--conf",
            "spark.sql.shuffle.partitions=4",
            "--conf",
            "spark.ui.enabled=false"));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SEMBLANCE_JAVA_OPTS", "-Xmx1g");
    return builder.start();
  }

  private static void finish(Process job, Path log) throws Exception {
    boolean done = job.waitFor(JOB.toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      job.destroyForcibly();
    }
    assertThat(done && job.exitValue() == 0)
        .as("the job finished: %s", Files.readString(log))
        .isTrue();
  }

  /** Waits until the job's first encoding task has finished and others are still to run. */
  private static void awaitFirstTask(Process job, Path log) throws Exception {
    Pattern finished = Pattern.compile("Finished task .* \\((\\d+)/(\\d+)\\)");
    long deadline = System.nanoTime() + JOB.toNanos();
    while (System.nanoTime() < deadline && job.isAlive()) {
      Matcher m = finished.matcher(Files.readString(log));
      if (m.find()) {
        assertThat(Integer.parseInt(m.group(2))).as("tasks of the job").isGreaterThan(8);
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no task finished: " + Files.readString(log));
  }
}
