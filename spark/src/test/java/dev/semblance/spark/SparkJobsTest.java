package dev.semblance.spark;

import static java.util.stream.Collectors.toSet;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Calibration;
import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.Verifier;
import dev.semblance.clustering.Cluster;
import dev.semblance.clustering.ClusteringOptions;
import dev.semblance.clustering.FaceClusters;
import dev.semblance.clustering.FaceItem;
import dev.semblance.evaluation.ClusteringQuality;
import dev.semblance.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark jobs in local[2] on the LFW development images, each compared with the single-machine
 * library: encoding, identification, self-search, galleries, bad input and the command line.
 */
class SparkJobsTest {
  private static final Logger log = LoggerFactory.getLogger(SparkJobsTest.class);
  @TempDir static Path dir;
  private static SparkSession spark;
  private static Path images;
  private static Path badImages;
  private static SparkFaces.Encoded encoded;

  /** Face rows of the LFW images (no reason rows), cached. */
  private static Dataset<Row> faces;

  private static String embedderId;

  /** The encoding's counters, read once it has run (a later recomputation would add to them). */
  private static long unreadable, withoutFace, faceCount;

  @BeforeAll
  static void encodeTheDevSet() throws IOException {
    images = TestData.dir("lfw-dev").resolve("images").toRealPath();
    badImages = dir.resolve("bad");
    Files.createDirectories(badImages);
    // Spark's file sources skip empty files, so a truncated JPEG stands for the broken download.
    byte[] jpeg = Files.readAllBytes(images.resolve("Paul_Wolfowitz/Paul_Wolfowitz_0002.jpg"));
    Files.write(badImages.resolve("truncated.jpg"), Arrays.copyOf(jpeg, 300));
    Files.writeString(badImages.resolve("corrupt.jpg"), "not a jpeg at all");
    byte[] random = new byte[4096];
    new SplittableRandom(7).nextBytes(random);
    Files.write(badImages.resolve("random.png"), random);
    BufferedImage plain = new BufferedImage(200, 160, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 160; y++) {
      for (int x = 0; x < 200; x++) {
        plain.setRGB(x, y, (x * 255 / 200) << 16 | (y * 255 / 160) << 8 | 90);
      }
    }
    ImageIO.write(plain, "png", badImages.resolve("faceless.png").toFile());

    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("semblance tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    Dataset<Row> all =
        spark
            .read()
            .format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(images.toString(), badImages.toString());
    encoded = SparkFaces.encode(all, EncodeOptions.defaults());
    Dataset<Row> table = encoded.faces().cache();
    table.count(); // computes it once: the counters are then exact
    unreadable = encoded.unreadable().value();
    withoutFace = encoded.withoutFace().value();
    faceCount = encoded.faceCount().value();
    faces = table.where(col(FaceColumns.REASON).isNull()).cache();
    embedderId = faces.first().getString(6);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static Path local(String sparkPath) {
    try {
      return Path.of(URI.create(sparkPath)).toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Face rows by image path, in face order. */
  private static Map<Path, List<Row>> facesByImage() {
    Map<Path, List<Row>> byImage = new HashMap<>();
    for (Row r : faces.orderBy(FaceColumns.PATH, FaceColumns.FACE).collectAsList()) {
      byImage.computeIfAbsent(local(r.getString(0)), p -> new ArrayList<>()).add(r);
    }
    return byImage;
  }

  private static List<String[]> pairs(String file) throws IOException {
    List<String> lines = Files.readAllLines(images.getParent().resolve(file));
    List<String[]> pairs = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t", -1);
      pairs.add(
          f.length == 3
              ? new String[] {f[0], f[1], f[0], f[2]}
              : new String[] {f[0], f[1], f[2], f[3]});
    }
    return pairs;
  }

  private static Path image(String name, String number) {
    return images
        .resolve(name)
        .resolve(String.format("%s_%04d.jpg", name, Integer.parseInt(number)));
  }

  @Test
  void encodingEqualsTheLibraryAndCountsEveryImage() throws IOException {
    Map<Path, List<Row>> byImage = facesByImage();
    assertThat(byImage).hasSize(4992); // every LFW image gave at least one face
    assertThat(unreadable).isEqualTo(3);
    assertThat(withoutFace).isEqualTo(1);
    assertThat(faceCount).isEqualTo(faces.count());
    List<Row> reasons = encoded.faces().where(col(FaceColumns.REASON).isNotNull()).collectAsList();
    assertThat(reasons).hasSize(4);
    for (Row r : reasons) {
      assertThat(r.getList(5)).isEmpty();
      assertThat(r.getInt(1)).isEqualTo(-1);
    }
    assertThat(reasons.stream().filter(r -> r.getString(0).endsWith("faceless.png")))
        .singleElement()
        .satisfies(r -> assertThat(r.getString(7)).isEqualTo("no face found"));

    // DevTest's images on one machine, with the library's own encoder.
    List<String[]> devTest = pairs("pairsDevTest.txt");
    List<Path> testImages = new ArrayList<>();
    for (String[] p : devTest) {
      testImages.add(image(p[0], p[1]));
      testImages.add(image(p[2], p[3]));
    }
    testImages = testImages.stream().distinct().sorted().toList();
    Map<Path, Embedding> libraryMain = new HashMap<>();
    Map<Path, Embedding> sparkMain = new HashMap<>();
    try (Encoder encoder = Encoder.builder().build()) {
      assertThat(encoder.embedderId()).isEqualTo(embedderId);
      List<List<Face>> library = encoder.encodeAll(testImages);
      for (int i = 0; i < testImages.size(); i++) {
        List<Face> expected = library.get(i);
        List<Row> actual = byImage.get(testImages.get(i));
        assertThat(actual).as(testImages.get(i).toString()).hasSameSizeAs(expected);
        for (int f = 0; f < expected.size(); f++) {
          float[] e = expected.get(f).embedding().toArray();
          float[] a = SparkFaces.floats(actual.get(f), 5);
          assertThat(a).hasSameSizeAs(e);
          for (int d = 0; d < e.length; d++) {
            assertThat(a[d]).isCloseTo(e[d], within(1e-6f));
          }
        }
        int main = Encoder.mainFaceIndex(expected, 250, 250);
        libraryMain.put(testImages.get(i), expected.get(main).embedding());
        sparkMain.put(testImages.get(i), Embedding.of(SparkFaces.floats(actual.get(main), 5)));
      }
    }
    // The DevTest accuracy from Spark's output equals the library's.
    assertThat(accuracy(devTest, sparkMain)).isEqualTo(accuracy(devTest, libraryMain));
    assertThat(accuracy(devTest, sparkMain)).isGreaterThan(0.98);
  }

  private static double accuracy(List<String[]> pairs, Map<Path, Embedding> main) {
    int correct = 0;
    for (String[] p : pairs) {
      float s = main.get(image(p[0], p[1])).similarity(main.get(image(p[2], p[3])));
      boolean same = p[0].equals(p[2]);
      correct += (s >= Verifier.DEFAULT_THRESHOLD) == same ? 1 : 0;
    }
    return (double) correct / pairs.size();
  }

  /** The main (first-listed, best-scored) face of each image as (key, identity, raw embedding). */
  private static List<Row> firstFaces() {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<Path, List<Row>> e : new TreeMap<>(facesByImage()).entrySet()) {
      Row r = e.getValue().get(0);
      rows.add(
          RowFactory.create(
              e.getKey().getFileName().toString(),
              e.getKey().getParent().getFileName().toString(),
              r.getList(5).toArray(Float[]::new)));
    }
    return rows;
  }

  @Test
  void distributedIdentificationEqualsIdentifyAll() throws IOException {
    // Gallery: the first image of every DevTrain and DevTest person; probes: DevTest people's
    // others.
    Set<String> devTestPeople = new HashSet<>();
    for (String[] p : pairs("pairsDevTest.txt")) {
      devTestPeople.add(p[0]);
      devTestPeople.add(p[2]);
    }
    List<Row> gallery = new ArrayList<>();
    List<Row> probes = new ArrayList<>();
    // Every other person also gets a second template, so that shards split identities.
    Map<String, Integer> seen = new HashMap<>();
    for (Row r : firstFaces()) {
      String who = r.getString(1);
      int n = seen.merge(who, 1, Integer::sum);
      if (n == 1 || (n == 2 && who.hashCode() % 2 == 0)) {
        gallery.add(RowFactory.create(who, r.get(2)));
      } else if (devTestPeople.contains(who)) {
        probes.add(RowFactory.create(r.getString(0), r.get(2)));
      }
    }
    Dataset<Row> galleryRows =
        spark.createDataFrame(gallery, FaceColumns.keyed(FaceColumns.IDENTITY));
    Dataset<Row> probeRows = spark.createDataFrame(probes, FaceColumns.keyed(FaceColumns.PROBE));

    Gallery reference = Gallery.create(embedderId, 512);
    for (Row r : gallery) {
      reference.enroll(r.getString(0), Embedding.of(SparkFaces.floats(r, 1)));
    }
    List<Embedding> queries = new ArrayList<>();
    for (Row r : probes) {
      queries.add(Embedding.of(SparkFaces.floats(r, 1)));
    }
    List<Identification> expected = reference.identifyAll(queries, 10);
    assertThat(probes).hasSizeGreaterThan(400);
    assertThat(gallery).hasSizeGreaterThan(3000);

    for (int shards : new int[] {1, 3, 7}) {
      Map<String, Row> actual = new HashMap<>();
      for (Row r :
          SparkSearch.identify(
                  probeRows,
                  galleryRows,
                  embedderId,
                  SparkSearch.Settings.atThreshold(10, reference.threshold()).withShards(shards))
              .collectAsList()) {
        actual.put(r.getString(0), r);
      }
      assertThat(actual).hasSize(probes.size());
      for (int p = 0; p < probes.size(); p++) {
        Row got = actual.get(probes.get(p).getString(0));
        List<Candidate> want = expected.get(p).candidates();
        List<Row> candidates = got.getList(1);
        assertThat(candidates).as("shards %s, probe %s", shards, p).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
          assertThat(candidates.get(i).getString(0)).isEqualTo(want.get(i).identity());
          assertThat(Float.floatToIntBits(candidates.get(i).getFloat(1)))
              .as("bit-identical similarity")
              .isEqualTo(Float.floatToIntBits(want.get(i).similarity()));
        }
        assertThat(got.getBoolean(4)).isEqualTo(expected.get(p).isKnown());
      }
    }

    // The threshold from a calibration at the gallery's size, as a Gallery holding that FPIR.
    Row one =
        SparkSearch.identify(
                probeRows.limit(1),
                galleryRows,
                embedderId,
                SparkSearch.Settings.atTargetFpir(10, Calibration.bundled(), 0.01))
            .first();
    assertThat(one.getFloat(5)).isEqualTo(reference.threshold()); // reference follows 1% FPIR
  }

  @Test
  void selfSearchFindsThePairsABruteForceFinds() {
    List<Row> rows = firstFaces();
    List<Embedding> all = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Row r : rows) {
      keys.add(r.getString(0));
      all.add(Embedding.of(SparkFaces.floats(r, 2)));
    }
    float threshold = 0.55f;
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        float s = all.get(i).similarity(all.get(j));
        if (s >= threshold && s - threshold > 1e-5f) {
          expected.add(pairKey(keys.get(i), keys.get(j)));
        }
      }
    }
    Dataset<Row> input = keyed(rows);
    Set<String> found = new HashSet<>();
    for (Row r : SparkSearch.selfSearch(input, threshold, 5).collectAsList()) {
      assertThat(r.getString(0)).isNotEqualTo(r.getString(1));
      assertThat(found.add(pairKey(r.getString(0), r.getString(1)))).as("each pair once").isTrue();
    }
    found.removeIf(k -> !expected.contains(k) && nearThreshold(k, keys, all, threshold));
    assertThat(expected).hasSizeGreaterThan(1000);
    assertThat(found).isEqualTo(expected);
  }

  private static boolean nearThreshold(
      String key, List<String> keys, List<Embedding> all, float t) {
    String[] k = key.split("\\|");
    float s = all.get(keys.indexOf(k[0])).similarity(all.get(keys.indexOf(k[1])));
    return Math.abs(s - t) <= 1e-5f;
  }

  private static String pairKey(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  @Test
  void clusteringEqualsOneJvmAndMatchesTheFolders() {
    List<Row> rows = firstFaces();
    List<FaceItem> items = new ArrayList<>();
    List<String> people = new ArrayList<>();
    for (Row r : rows) {
      items.add(new FaceItem(Embedding.of(SparkFaces.floats(r, 2)), Double.NaN, r.getString(0)));
      people.add(r.getString(1));
    }
    FaceClusters oneJvm =
        FaceClusters.of(items, Calibration.bundled(), ClusteringOptions.defaults());
    Set<Set<String>> expected = new HashSet<>();
    for (Cluster c : oneJvm.clusters()) {
      expected.add(c.faces().stream().map(f -> items.get(f).source()).collect(toSet()));
    }

    long start = System.nanoTime();
    Map<String, String> clusterOf = new HashMap<>();
    for (Row r :
        SparkClusters.cluster(keyed(rows), Calibration.bundled(), ClusteringOptions.defaults(), 4)
            .collectAsList()) {
      assertThat(clusterOf.put(r.getString(0), r.getString(1))).as("one row per face").isNull();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(clusterOf).hasSize(rows.size());
    Map<String, Set<String>> members = new HashMap<>();
    clusterOf.forEach(
        (face, cluster) -> {
          if (cluster != null) {
            members.computeIfAbsent(cluster, c -> new HashSet<>()).add(face);
          }
        });
    assertThat(new HashSet<>(members.values())).isEqualTo(expected);
    members.forEach((cluster, faces) -> assertThat(faces).contains(cluster));

    Map<String, Integer> number = new HashMap<>();
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      String c = clusterOf.get(rows.get(i).getString(0));
      labels[i] = c == null ? -1 : number.computeIfAbsent(c, k -> number.size());
    }
    ClusteringQuality q = ClusteringQuality.of(labels, people);
    log.info(
        "Spark clustering of {} LFW faces in {} s: {} clusters, BCubed F {}",
        rows.size(),
        String.format(Locale.ROOT, "%.1f", seconds),
        q.clusters(),
        String.format(Locale.ROOT, "%.4f", q.bcubedF()));
    assertThat(q.bcubedF()).isGreaterThanOrEqualTo(0.96);
  }

  /** Rows of (probe, embedding) from rows of (key, who, embedding). */
  private static Dataset<Row> keyed(List<Row> rows) {
    return spark
        .createDataFrame(
            rows,
            DataTypes.createStructType(
                List.of(
                    DataTypes.createStructField(FaceColumns.PROBE, DataTypes.StringType, false),
                    DataTypes.createStructField("who", DataTypes.StringType, false),
                    DataTypes.createStructField(
                        FaceColumns.EMBEDDING,
                        DataTypes.createArrayType(DataTypes.FloatType, false),
                        false))))
        .select(FaceColumns.PROBE, FaceColumns.EMBEDDING);
  }

  @Test
  void galleriesRoundTripThroughDataFrames() {
    Dataset<Row> rows =
        faces
            .limit(300)
            .select(
                concat(lit("person-"), col(FaceColumns.FACE)).as(FaceColumns.IDENTITY),
                col(FaceColumns.EMBEDDING));
    Path file = dir.resolve("from-spark.gallery");
    Gallery written = SparkGalleries.toGalleryFile(rows, embedderId, 512, file);
    assertThat(written.templateCount()).isEqualTo(300);
    Gallery loaded = Gallery.load(file);
    assertThat(loaded.identities()).isEqualTo(written.identities());
    Dataset<Row> back = SparkGalleries.read(spark, loaded);
    assertThat(back.count()).isEqualTo(300);
    Map<String, Integer> perIdentity = new LinkedHashMap<>();
    for (Row r : back.collectAsList()) {
      perIdentity.merge(r.getString(0), 1, Integer::sum);
    }
    for (String id : loaded.identities()) {
      assertThat(perIdentity.get(id)).isEqualTo(loaded.templates(id).size());
    }
    // A gallery read back from Parquet (nullable array elements) searches the same.
    Path parquet = dir.resolve("gallery.parquet");
    back.write().parquet(parquet.toString());
    Dataset<Row> fromParquet = spark.read().parquet(parquet.toString());
    Row probe = back.first();
    Dataset<Row> probes =
        spark.createDataFrame(
            List.of(RowFactory.create("p", probe.get(1))), FaceColumns.keyed(FaceColumns.PROBE));
    Row found =
        SparkSearch.identify(
                probes, fromParquet, embedderId, SparkSearch.Settings.atThreshold(1, 0.5f))
            .first();
    assertThat(found.getString(2)).isEqualTo(probe.getString(0));
    assertThat(found.getFloat(3)).isCloseTo(1f, within(1e-5f));
  }

  @Test
  void badInputIsAClearErrorOrAReasonRow() {
    var embeddingType = DataTypes.createArrayType(DataTypes.FloatType, false);
    var probeSchema = FaceColumns.keyed(FaceColumns.PROBE);
    var gallerySchema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField(FaceColumns.IDENTITY, DataTypes.StringType, false),
                DataTypes.createStructField(FaceColumns.EMBEDDING, embeddingType, false)));
    Float[] good = SparkFaces.boxed(SparkFaces.floats(firstFaces().get(0), 2));
    Float[] nan = good.clone();
    nan[3] = Float.NaN;
    Dataset<Row> gallery =
        spark.createDataFrame(List.of(RowFactory.create("alice", good)), gallerySchema);
    Dataset<Row> probes =
        spark.createDataFrame(
            List.of(
                RowFactory.create("ok", good),
                RowFactory.create("nan", nan),
                RowFactory.create("short", new Float[] {1f, 0f})),
            probeSchema);
    Map<String, Row> out = new HashMap<>();
    for (Row r :
        SparkSearch.identify(probes, gallery, embedderId, SparkSearch.Settings.atThreshold(3, 0.5f))
            .collectAsList()) {
      out.put(r.getString(0), r);
    }
    assertThat(out.get("ok").getString(2)).isEqualTo("alice");
    assertThat(out.get("nan").getString(6)).contains("NaN");
    assertThat(out.get("short").getString(6)).contains("2-d embedding, not 512-d");

    Dataset<Row> badGallery =
        spark.createDataFrame(
            List.of(RowFactory.create("alice", good), RowFactory.create("bob", new Float[] {1f})),
            gallerySchema);
    assertThatThrownBy(
            () ->
                SparkSearch.identify(
                        probes.limit(1),
                        badGallery,
                        embedderId,
                        SparkSearch.Settings.atThreshold(3, 0.5f))
                    .collectAsList())
        .hasStackTraceContaining("gallery identity bob has a 1-d embedding");
    assertThatThrownBy(
            () ->
                SparkSearch.identify(
                    gallery, gallery, embedderId, SparkSearch.Settings.atThreshold(3, 0.5f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no column 'probe'");
    assertThatThrownBy(
            () ->
                SparkSearch.identify(
                    probes,
                    gallery,
                    "another-model",
                    SparkSearch.Settings.atTargetFpir(3, Calibration.bundled(), 0.01)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("calibration is for embedder");
    // A DataFrame of paths alone: executors read the files; a missing one and images past the
    // pixel limit become reason rows.
    Dataset<Row> paths =
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    images.resolve("Paul_Wolfowitz/Paul_Wolfowitz_0003.jpg").toString()),
                RowFactory.create(dir.resolve("missing.jpg").toString())),
            DataTypes.createStructType(
                List.of(DataTypes.createStructField("path", DataTypes.StringType, false))));
    SparkFaces.Encoded limited =
        SparkFaces.encode(paths, EncodeOptions.defaults().withMaxPixels(10_000));
    Map<String, String> why = new HashMap<>();
    for (Row r : limited.faces().collectAsList()) {
      why.put(Path.of(r.getString(0)).getFileName().toString(), r.getString(7));
    }
    assertThat(why.get("Paul_Wolfowitz_0003.jpg")).contains("pixel");
    assertThat(why.get("missing.jpg")).contains("cannot read");
    assertThat(limited.unreadable().value()).isEqualTo(2);
    assertThatThrownBy(() -> SparkFaces.encode(gallery, EncodeOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no column 'path'");
  }

  @Test
  void theCommandLineEncodesIdentifiesAndSelfSearches() throws IOException {
    Path people = dir.resolve("people");
    for (String name : List.of("Jennifer_Lopez", "Paul_Wolfowitz")) {
      try (var files = Files.list(images.resolve(name))) {
        for (Path f : files.sorted().limit(3).toList()) {
          Files.createDirectories(people.resolve(name));
          Files.copy(f, people.resolve(name).resolve(f.getFileName()));
        }
      }
    }
    Files.writeString(people.resolve("broken.jpg"), "not an image");
    Path tsv = dir.resolve("faces.tsv");
    assertThat(
            SparkCli.run(
                "encode", "--in", people.toString(), "--out", tsv.toString(), "--format", "tsv"))
        .isZero();
    List<String> lines = Files.readAllLines(tsv);
    assertThat(lines.get(0))
        .startsWith("path\tface\tleft\ttop\tright\tbottom\tscore\tnote\te0\t")
        .endsWith("\te511");
    assertThat(
            lines.stream()
                .filter(l -> l.contains("broken.jpg"))
                .findFirst()
                .orElseThrow()
                .split("\t", -1)[7])
        .isNotEmpty();
    assertThat(lines.stream().filter(l -> l.contains("Paul_Wolfowitz")).count())
        .isGreaterThanOrEqualTo(3);

    Path parquet = dir.resolve("faces.parquet");
    assertThat(SparkCli.run("encode", "--in", people.toString(), "--out", parquet.toString()))
        .isZero();
    Gallery cast = Gallery.create(embedderId, 512);
    try (Encoder encoder = Encoder.builder().build()) {
      cast.enroll(
          "Paul_Wolfowitz",
          encoder
              .encodeMainFace(images.resolve("Paul_Wolfowitz/Paul_Wolfowitz_0010.jpg"))
              .embedding());
      cast.enroll(
          "Jennifer_Lopez",
          encoder
              .encodeMainFace(images.resolve("Jennifer_Lopez/Jennifer_Lopez_0021.jpg"))
              .embedding());
    }
    Path galleryFile = dir.resolve("cast.gallery");
    cast.save(galleryFile);
    Path ids = dir.resolve("ids.tsv");
    assertThat(
            SparkCli.run(
                "identify",
                "--probes",
                parquet.toString(),
                "--gallery",
                galleryFile.toString(),
                "--out",
                ids.toString(),
                "--format",
                "tsv",
                "--threshold",
                "0.3"))
        .isZero();
    List<String> idLines = Files.readAllLines(ids);
    assertThat(idLines.get(0)).isEqualTo("probe\tidentity\tsimilarity\tmatch\tthreshold\treason");
    for (String line : idLines.subList(1, idLines.size())) {
      String[] f = line.split("\t", -1);
      String truth = f[0].contains("Paul_Wolfowitz") ? "Paul_Wolfowitz" : "Jennifer_Lopez";
      assertThat(f[1]).as(line).isEqualTo(truth);
      assertThat(f[3]).isEqualTo("true");
    }
    Path pairsOut = dir.resolve("pairs.tsv");
    assertThat(
            SparkCli.run(
                "self-search",
                "--in",
                parquet.toString(),
                "--threshold",
                "0.4",
                "--out",
                pairsOut.toString(),
                "--format",
                "tsv"))
        .isZero();
    List<String> pairLines = Files.readAllLines(pairsOut);
    assertThat(pairLines.get(0)).isEqualTo("left\tright\tsimilarity");
    assertThat(pairLines.size() - 1)
        .isGreaterThanOrEqualTo(4); // 3 + 3 of each person, most above 0.4
    for (String line : pairLines.subList(1, pairLines.size())) {
      String[] f = line.split("\t");
      assertThat(f[0].contains("Paul_Wolfowitz"))
          .as(line)
          .isEqualTo(f[1].contains("Paul_Wolfowitz"));
    }
    assertThat(
            SparkCli.run(
                "identify",
                "--probes",
                parquet.toString(),
                "--gallery",
                dir.resolve("nope").toString(),
                "--out",
                dir.resolve("x").toString()))
        .isEqualTo(3);

    Path clustersOut = dir.resolve("clusters.tsv");
    assertThat(
            SparkCli.run(
                "cluster",
                "--in",
                parquet.toString(),
                "--out",
                clustersOut.toString(),
                "--format",
                "tsv",
                "--master",
                "local[2]"))
        .isZero();
    List<String> clusterLines = Files.readAllLines(clustersOut);
    assertThat(clusterLines.get(0)).isEqualTo("probe\tcluster");
    Map<String, Set<String>> clustersOfPerson = new HashMap<>();
    for (String line : clusterLines.subList(1, clusterLines.size())) {
      String[] f = line.split("\t", -1);
      String person = f[0].contains("Paul_Wolfowitz") ? "Paul_Wolfowitz" : "Jennifer_Lopez";
      clustersOfPerson.computeIfAbsent(person, p -> new HashSet<>()).add(f[1]);
    }
    assertThat(clustersOfPerson.get("Paul_Wolfowitz")).singleElement().asString().isNotEmpty();
    assertThat(clustersOfPerson.get("Jennifer_Lopez")).singleElement().asString().isNotEmpty();
    assertThat(clustersOfPerson.get("Paul_Wolfowitz"))
        .doesNotContainAnyElementsOf(clustersOfPerson.get("Jennifer_Lopez"));
    assertThat(
            SparkCli.run(
                "cluster",
                "--in",
                parquet.toString(),
                "--pairwise-fmr",
                "1e-12",
                "--out",
                dir.resolve("y").toString()))
        .isEqualTo(3);
  }
}
