package dev.semblance.clustering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.CorruptFileException;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.evaluation.ClusteringQuality;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Clustering behaviour on planted clusters: points scattered around random centres. */
class FaceClustersTest {
  private static final int DIMENSION = 64;
  private static final float CUT_OFF = 0.5f;

  /**
   * {@code people} centres with {@code each} faces around them, similarity to the centre ~0.87, to
   * each other ~0.76.
   */
  private static List<FaceItem> planted(int people, int each, long seed, List<String> truth) {
    Random random = new Random(seed);
    List<FaceItem> faces = new ArrayList<>();
    for (int p = 0; p < people; p++) {
      float[] centre = gaussian(random, 1f);
      for (int i = 0; i < each; i++) {
        float[] v = gaussian(random, 0.07f);
        for (int d = 0; d < DIMENSION; d++) {
          v[d] += centre[d] / (float) Math.sqrt(DIMENSION);
        }
        faces.add(new FaceItem(Embedding.of(v), 1.0, "p" + p + "/" + i));
        truth.add("p" + p);
      }
    }
    return faces;
  }

  private static float[] gaussian(Random random, float sigma) {
    float[] v = new float[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      v[d] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }

  private static FaceClusters clusters(ClusterMethod method) {
    return FaceClusters.withThreshold(CUT_OFF, ClusteringOptions.defaults().withMethod(method));
  }

  @ParameterizedTest
  @EnumSource(ClusterMethod.class)
  void recoversPlantedPeopleAndLeavesStrangersAlone(ClusterMethod method) {
    List<String> truth = new ArrayList<>();
    List<FaceItem> faces = planted(40, 6, 1, truth);
    List<FaceItem> strangers = planted(10, 1, 2, new ArrayList<>());
    FaceClusters clusters = clusters(method);
    clusters.add(faces);
    List<Integer> strangerIds = clusters.add(strangers);
    for (int i = 0; i < 10; i++) {
      truth.add("stranger" + i);
    }
    ClusteringQuality q = ClusteringQuality.of(clusters.labels(), truth);
    assertThat(q.bcubedF()).isEqualTo(1.0);
    assertThat(q.clusters()).isEqualTo(40);
    assertThat(clusters.noise()).containsExactlyElementsOf(strangerIds);
    assertThat(clusters.clusters()).allSatisfy(c -> assertThat(c.size()).isEqualTo(6));
  }

  @Test
  void averageLinkageIgnoresAStrayBridgeThatChainsConnectedComponents() {
    List<String> truth = new ArrayList<>();
    List<FaceItem> faces = new ArrayList<>(planted(2, 8, 3, truth));
    // A face halfway between the two people: similar enough to one face of each.
    float[] a = faces.get(0).embedding().toArray();
    float[] b = faces.get(8).embedding().toArray();
    float[] mid = new float[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      mid[d] = a[d] + b[d];
    }
    faces.add(FaceItem.of(Embedding.of(mid)));
    truth.add("bridge");
    assertThat(Embedding.of(mid).similarity(faces.get(0).embedding())).isGreaterThan(CUT_OFF);
    assertThat(Embedding.of(mid).similarity(faces.get(8).embedding())).isGreaterThan(CUT_OFF);

    FaceClusters single = clusters(ClusterMethod.CONNECTED_COMPONENTS);
    single.add(faces);
    assertThat(single.clusters()).hasSize(1);
    FaceClusters average = clusters(ClusterMethod.AVERAGE_LINKAGE);
    average.add(faces);
    assertThat(average.clusters()).hasSize(2);
  }

  @Test
  void namedClustersNeverJoinAndANameSharedJoinsThem() {
    List<String> truth = new ArrayList<>();
    List<FaceItem> faces = planted(1, 6, 4, truth);
    FaceClusters clusters = clusters(ClusterMethod.AVERAGE_LINKAGE);
    int ann = clusters.addNamed("Ann", List.of(faces.get(0).embedding()));
    int bea = clusters.addNamed("Bea", List.of(faces.get(1).embedding()));
    clusters.add(faces.subList(2, 6));
    assertThat(clusters.named("Ann").orElseThrow().id()).isEqualTo(ann);
    assertThat(clusters.named("Bea").orElseThrow().id()).isEqualTo(bea);
    assertThat(
            clusters.named("Ann").orElseThrow().size() + clusters.named("Bea").orElseThrow().size())
        .isEqualTo(6);

    int joined = clusters.name(bea, "Ann");
    assertThat(clusters.named("Ann").orElseThrow().size()).isEqualTo(6);
    assertThat(clusters.named("Bea")).isEmpty();
    assertThat(clusters.clusters()).singleElement().extracting(Cluster::id).isEqualTo(joined);
  }

  @Test
  void enrolsTheMostTypicalFacesOfANamedClusterButNeverItsSeeds() {
    List<String> truth = new ArrayList<>();
    List<FaceItem> faces = planted(2, 6, 5, truth);
    Gallery gallery = Gallery.create("test", DIMENSION);
    gallery.enroll("Ann", faces.get(0).embedding());
    FaceClusters clusters = clusters(ClusterMethod.AVERAGE_LINKAGE);
    clusters.seed(gallery);
    int seedCluster = clusters.named("Ann").orElseThrow().id();
    assertThatThrownBy(() -> clusters.enroll(seedCluster, gallery, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only gallery faces");
    List<Integer> ids = clusters.add(faces.subList(1, 12));
    assertThat(clusters.named("Ann").orElseThrow().faces()).containsAll(ids.subList(0, 5));
    Cluster other =
        clusters.clusters().stream().filter(c -> c.name().isEmpty()).findFirst().orElseThrow();
    assertThatThrownBy(() -> clusters.enroll(other.id(), gallery, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no name");

    List<Integer> enrolled = clusters.enroll(seedCluster, gallery, 3);
    assertThat(enrolled).hasSize(3).isSubsetOf(ids).doesNotContain(0);
    assertThat(gallery.templates("Ann")).hasSize(4);
  }

  @Test
  void lowQualityFacesAndSmallClustersAreNoise() {
    List<String> truth = new ArrayList<>();
    List<FaceItem> faces = new ArrayList<>(planted(1, 3, 6, truth));
    faces.set(2, new FaceItem(faces.get(2).embedding(), 0.1, "blurred"));
    FaceClusters clusters =
        FaceClusters.withThreshold(
            CUT_OFF, ClusteringOptions.defaults().withMinQuality(0.5).withMinClusterSize(3));
    clusters.add(faces);
    assertThat(clusters.clusters()).isEmpty();
    assertThat(clusters.noise()).containsExactly(0, 1, 2);
    assertThat(clusters.labels()).containsExactly(-1, -1, -1);
    FaceClusters pairs =
        FaceClusters.withThreshold(CUT_OFF, ClusteringOptions.defaults().withMinQuality(0.5));
    pairs.add(faces);
    assertThat(pairs.clusters())
        .singleElement()
        .extracting(Cluster::faces)
        .isEqualTo(List.of(0, 1));
  }

  @Test
  void badInputIsRefusedAndNothingIsAdded() {
    FaceClusters clusters = clusters(ClusterMethod.AVERAGE_LINKAGE);
    clusters.add(planted(2, 3, 7, new ArrayList<>()));
    List<FaceItem> mixed =
        List.of(
            FaceItem.of(Embedding.of(new float[] {1, 0, 0})),
            FaceItem.of(Embedding.of(ones(DIMENSION + 1))));
    assertThatThrownBy(() -> clusters.add(mixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension");
    assertThat(clusters.size()).isEqualTo(6);
    assertThat(clusters.clusters()).hasSize(2);
    assertThatThrownBy(() -> clusters.name(999, "x")).hasMessageContaining("no cluster 999");
    assertThatThrownBy(() -> clusters.name(clusters.clusters().get(0).id(), "a\nb"))
        .hasMessageContaining("control characters");
    assertThatThrownBy(() -> ClusteringOptions.defaults().withPairwiseFmr(0))
        .hasMessageContaining("pairwise FMR");
    assertThatThrownBy(
            () -> new FaceItem(Embedding.of(new float[] {1}), Double.POSITIVE_INFINITY, ""))
        .hasMessageContaining("quality");
    assertThat(clusters.add(List.of())).isEmpty();
  }

  @Test
  void savedClustersLoadAndGoOnAddingAsIfNeverClosed(@TempDir Path dir) throws Exception {
    List<String> truth = new ArrayList<>();
    List<FaceItem> faces = planted(30, 5, 8, truth);
    FaceClusters original = clusters(ClusterMethod.AVERAGE_LINKAGE);
    original.add(faces.subList(0, 100));
    int ann = original.name(original.clusters().get(0).id(), "Ann");
    Path file = dir.resolve("people.clusters");
    original.save(file);

    FaceClusters loaded = FaceClusters.load(file);
    assertThat(loaded.labels()).containsExactly(original.labels());
    assertThat(loaded.named("Ann").orElseThrow().id()).isEqualTo(ann);
    assertThat(loaded.threshold()).isEqualTo(original.threshold());
    assertThat(loaded.options()).isEqualTo(original.options());
    assertThat(loaded.face(7).source()).isEqualTo(faces.get(7).source());
    original.add(faces.subList(100, 150));
    loaded.add(faces.subList(100, 150));
    assertThat(loaded.labels()).containsExactly(original.labels());
    assertThat(loaded.clusters()).isEqualTo(original.clusters());

    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Path flipped = Files.write(dir.resolve("flipped"), bytes);
    assertThatThrownBy(() -> FaceClusters.load(flipped))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("damaged");
    Path cut = Files.write(dir.resolve("cut"), Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> FaceClusters.load(cut))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("cut short");
    Path other = Files.writeString(dir.resolve("other"), "a gallery, perhaps");
    assertThatThrownBy(() -> FaceClusters.load(other))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageContaining("not a Semblance clusters file");
    assertThatThrownBy(() -> FaceClusters.load(dir.resolve("missing")))
        .isInstanceOf(UncheckedIOException.class);
    FaceClusters empty = clusters(ClusterMethod.CHINESE_WHISPERS);
    empty.save(dir.resolve("empty"));
    assertThat(FaceClusters.load(dir.resolve("empty")).size()).isZero();
  }

  @Test
  void clusteringQualityMatchesAHandCount() {
    // Truth: a a a b b; clusters {0,1} {2,3} and face 4 alone.
    ClusteringQuality q =
        ClusteringQuality.of(new int[] {7, 7, 9, 9, -1}, List.of("a", "a", "a", "b", "b"));
    // BCubed precision: 1, 1, 1/2, 1/2, 1 -> 0.8; recall: 2/3, 2/3, 1/3, 1/2, 1/2 -> 8/15.
    assertThat(q.bcubedPrecision()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(q.bcubedRecall()).isCloseTo(8.0 / 15, org.assertj.core.data.Offset.offset(1e-12));
    // Pairs put together: (0,1) right, (2,3) wrong; true pairs: 3 of a, 1 of b.
    assertThat(q.pairwisePrecision()).isEqualTo(0.5);
    assertThat(q.pairwiseRecall()).isEqualTo(0.25);
    assertThat(q.clusters()).isEqualTo(2);
    assertThat(q.people()).isEqualTo(2);
    assertThat(q.noise()).isEqualTo(1);
    assertThatThrownBy(() -> ClusteringQuality.of(new int[] {1}, List.of()))
        .hasMessageContaining("1 labels");
  }
}
