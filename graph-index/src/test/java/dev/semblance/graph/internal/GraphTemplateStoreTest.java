package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryFormatException;
import dev.semblance.Identification;
import dev.semblance.InnerProducts;
import dev.semblance.graph.GraphGallery;
import dev.semblance.spi.TemplateStore;
import dev.semblance.testing.UnitVectors;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash or damage leaves in a graph gallery's directory, and what compaction erases. */
class GraphTemplateStoreTest {
  private static final int DIM = 16;
  private static final GraphTemplateStore.Settings SETTINGS =
      new GraphTemplateStore.Settings(100, 16, 32, 0);

  @TempDir Path temp;
  private final UnitVectors random = new UnitVectors(7, DIM);

  private float[] unit() {
    return random.random().toArray();
  }

  private Path filled(int identities, List<float[]> vectors) {
    Path dir = temp.resolve("g");
    try (GraphTemplateStore store = GraphTemplateStore.create(dir, "test", DIM, SETTINGS)) {
      for (int i = 0; i < identities; i++) {
        float[] v = unit();
        vectors.add(v);
        store.add(Map.of("p" + i, List.of(v)));
      }
    }
    return dir;
  }

  private static String best(TemplateStore store, float[] probe) {
    return store.shortlist(new float[][] {probe}, 1).perProbe().get(0).stream()
        .max((a, b) -> Float.compare(dot(a.vector(), probe), dot(b.vector(), probe)))
        .orElseThrow()
        .identity();
  }

  private static List<String> identities(TemplateStore.Shortlists shortlists) {
    return shortlists.perProbe().get(0).stream()
        .map(TemplateStore.StoredTemplate::identity)
        .toList();
  }

  private static float dot(float[] a, float[] b) {
    return InnerProducts.dot(a, 0, b, 0, a.length);
  }

  @Test
  void aTornLastChangeIsCutOffAndEverythingBeforeItOpens() throws IOException {
    List<float[]> vectors = new ArrayList<>();
    Path dir = filled(30, vectors);
    Files.write(
        dir.resolve("changes-0.log"), new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      assertThat(store.identityCount()).isEqualTo(30);
      store.add(Map.of("late", List.of(unit())));
      assertThat(store.identityCount()).isEqualTo(31);
    }
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      assertThat(store.contains("late")).isTrue();
    }
  }

  @Test
  void rowsWrittenButNeverLoggedAreDropped() throws IOException {
    Path dir = filled(5, new ArrayList<>());
    Files.write(dir.resolve("rows-0.f32"), new byte[3 * DIM * 4], StandardOpenOption.APPEND);
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      assertThat(store.templateCount()).isEqualTo(5);
    }
    assertThat(Files.size(dir.resolve("rows-0.f32"))).isEqualTo(5L * DIM * 4);
  }

  @Test
  void aFaceFoundAtTheThresholdByTheFirstPassIsAnsweredAndOnlyStrangersAreSearchedOn() {
    GraphTemplateStore store =
        GraphTemplateStore.create(
            temp.resolve("first"), "test", DIM, new GraphTemplateStore.Settings(400, 16, 32, 16));
    List<Embedding> enrolled = new ArrayList<>();
    try (Gallery gallery = Gallery.over(store)) {
      Map<String, List<Embedding>> people = new LinkedHashMap<>();
      for (int i = 0; i < 3000; i++) {
        enrolled.add(random.random());
        people.put("p" + i, List.of(enrolled.get(i)));
      }
      gallery.enrollAll(people);
      gallery.setThreshold(0.9f);
      for (int i = 0; i < 3000; i += 150) {
        Identification found = gallery.identify(random.near(enrolled.get(i), 0.97), 5);
        assertThat(found.match()).map(Candidate::identity).contains("p" + i);
      }
      assertThat(store.widenedSearches()).as("faces in the gallery searched on").isZero();

      for (int i = 0; i < 20; i++) {
        assertThat(gallery.identify(random.random(), 5).isKnown()).isFalse();
      }
      assertThat(store.widenedSearches()).as("strangers searched at the full width").isEqualTo(20);

      // Searched on, a stranger gets the full search's shortlist.
      float[] stranger = unit();
      assertThat(identities(store.shortlist(new float[][] {stranger}, 5, templates -> 0.9)))
          .isEqualTo(identities(store.shortlist(new float[][] {stranger}, 5)));
    }
  }

  /**
   * Searches in batches run on the module's shared threads; a closed store must leave nothing there
   * that keeps its graph (and the rows it walks) from being collected, or a JVM that reopens a
   * large gallery holds two.
   */
  @Test
  void aClosedStoreIsCollectedAfterSearchesInBatches() throws InterruptedException {
    WeakReference<NeighbourGraph> graph = searchedInBatchesAndClosed();
    for (int i = 0; i < 50 && graph.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(graph.get()).as("the closed store's graph").isNull();
  }

  private WeakReference<NeighbourGraph> searchedInBatchesAndClosed() {
    try (GraphTemplateStore store =
        GraphTemplateStore.open(filled(300, new ArrayList<>()), SETTINGS)) {
      float[][] probes = new float[64][];
      Arrays.setAll(probes, p -> unit());
      assertThat(store.shortlist(probes, 5).perProbe())
          .hasSize(64)
          .allSatisfy(l -> assertThat(l).hasSize(40));
      return new WeakReference<>(store.graph());
    }
  }

  @Test
  void aDamagedOrMissingGraphIsRebuiltFromTheRows() throws IOException {
    List<float[]> vectors = new ArrayList<>();
    Path dir = filled(200, vectors);
    Path graph = dir.resolve("graph-0.bin");
    assertThat(graph).exists();
    Files.write(graph, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9});
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      for (int i = 0; i < vectors.size(); i++) {
        assertThat(best(store, vectors.get(i))).isEqualTo("p" + i);
      }
    }
    Files.delete(graph);
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      assertThat(best(store, vectors.get(17))).isEqualTo("p17");
    }
  }

  @Test
  void compactionLeavesNoByteOfARemovedTemplateInTheDirectory() throws IOException {
    List<float[]> vectors = new ArrayList<>();
    Path dir = filled(40, vectors);
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      for (int i = 0; i < 40; i += 2) {
        assertThat(store.remove("p" + i)).isTrue();
      }
      assertThat(contains(dir, vectors.get(4))).isTrue(); // removed, still on disk
      store.compact();
      assertThat(store.templateCount()).isEqualTo(20);
      for (int i = 0; i < 40; i++) {
        assertThat(contains(dir, vectors.get(i))).as("p%s on disk", i).isEqualTo(i % 2 == 1);
      }
      assertThat(best(store, vectors.get(7))).isEqualTo("p7");
      store.add(Map.of("after", List.of(unit())));
    }
    try (GraphTemplateStore store = GraphTemplateStore.open(dir, SETTINGS)) {
      assertThat(store.identityCount()).isEqualTo(21);
      assertThat(best(store, vectors.get(9))).isEqualTo("p9");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("gallery.lock", "changes-1.log", "rows-1.f32", "graph-1.bin");
    }
  }

  /** Whether any file of the directory holds the vector's bytes as the row file stores them. */
  private static boolean contains(Path dir, float[] vector) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    String needle = HexFormat.of().formatHex(bytes.array());
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (HexFormat.of().formatHex(Files.readAllBytes(f)).contains(needle)) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void aDirectoryWithoutAGalleryOrWithAnotherEmbeddersIsRefused() throws IOException {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    assertThatThrownBy(() -> GraphGallery.builder(empty).open())
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("no change log");
    Path dir = filled(3, new ArrayList<>());
    assertThatThrownBy(() -> GraphGallery.builder(dir).embedder("other", DIM).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds templates of test (16-d), not of other (16-d)");
    assertThatThrownBy(() -> GraphGallery.builder(dir).embedder("test", DIM).create())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an empty directory");
    try (var gallery = GraphGallery.builder(dir).embedder("test", DIM).open()) {
      assertThat(gallery.size()).isEqualTo(3); // the refusals left it openable and whole
    }
  }
}
