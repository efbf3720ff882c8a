package dev.semblance.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Calibration;
import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.TemplateStoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Galleries in a real OpenSearch node with the k-NN plugin, against in-memory galleries. */
class OpenSearchGalleryTest {
  @TempDir static Path home;
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(home);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static OpenSearchGallery.Builder index(String name, String embedder, int dimension) {
    return OpenSearchGallery.builder(cluster.client(), name).embedder(embedder, dimension);
  }

  private static Embedding unit(float... values) {
    return Embedding.of(values);
  }

  @Test
  void identifiesLfwPeopleAsTheInMemoryGalleryDoes() {
    LfwFaces faces = LfwFaces.load(60);
    Map<String, List<Embedding>> enrolled = new LinkedHashMap<>();
    List<Embedding> mated = new ArrayList<>();
    List<String> truth = new ArrayList<>();
    faces.people.forEach(
        (name, embeddings) -> {
          enrolled.put(name, List.of(embeddings.get(0)));
          for (Embedding e : embeddings.subList(1, embeddings.size())) {
            mated.add(e);
            truth.add(name);
          }
        });
    // Distractor identities make the k-NN graph large enough for its search to be approximate.
    List<Embedding> distractors = faces.distractors(4000, 17);
    for (int i = 0; i < distractors.size(); i++) {
      enrolled.put("synthetic-" + i, List.of(distractors.get(i)));
    }
    List<Embedding> probes = new ArrayList<>(mated);
    probes.addAll(faces.strangers);

    Gallery memory = Gallery.create(faces.embedderId, faces.dimension);
    memory.enrollAll(enrolled);
    try (Gallery remote = index("lfw", faces.embedderId, faces.dimension).create()) {
      remote.enrollAll(enrolled);
      assertThat(remote.templateCount()).isEqualTo(memory.templateCount());
      assertThat(remote.size()).isEqualTo(memory.size());
      assertThat(remote.threshold()).isEqualTo(memory.threshold());

      List<Identification> exact = memory.identifyAll(probes, 10);
      List<Identification> found = remote.identifyAll(probes, 10);
      int ranked = 0;
      for (int p = 0; p < probes.size(); p++) {
        Identification e = exact.get(p);
        Identification f = found.get(p);
        assertThat(f.threshold()).isEqualTo(e.threshold());
        assertThat(f.candidates().get(0).identity())
            .as("rank 1 of probe %s", p)
            .isEqualTo(e.candidates().get(0).identity());
        assertThat(f.candidates().get(0).similarity())
            .isCloseTo(e.candidates().get(0).similarity(), within(1e-5f));
        assertThat(f.isKnown()).as("open-set decision of probe %s", p).isEqualTo(e.isKnown());
        if (p < mated.size() && f.candidates().get(0).identity().equals(truth.get(p))) {
          ranked++;
        }
      }
      assertThat(ranked).as("mated probes ranked first").isGreaterThan(mated.size() * 8 / 10);
      assertThat(
              found.subList(mated.size(), probes.size()).stream().filter(Identification::isKnown))
          .as("strangers named")
          .hasSizeLessThan(faces.strangers.size() / 10);

      // Recall@10 against exact search, by search width: reported, and complete by the default.
      System.out.printf(
          "recall@10 of %d probes, %d templates:%n", probes.size(), memory.templateCount());
      double previous = 0;
      for (int width : new int[] {40, 300, OpenSearchGallery.DEFAULT_SEARCH_WIDTH}) {
        try (Gallery narrow =
            index("lfw", faces.embedderId, faces.dimension).searchWidth(width).open()) {
          double recall = recallAt10(exact, narrow.identifyAll(probes, 10));
          System.out.printf("  width %4d: %.4f%n", width, recall);
          if (width >= OpenSearchGallery.DEFAULT_SEARCH_WIDTH) {
            assertThat(recall).as("recall@10 at width %s", width).isGreaterThanOrEqualTo(0.99);
          }
          assertThat(recall).isGreaterThanOrEqualTo(previous - 0.01);
          previous = recall;
        }
      }
    }
  }

  /** The share of the exact top-10 identities that {@code found} also lists, over all probes. */
  static double recallAt10(List<Identification> exact, List<Identification> found) {
    long hits = 0;
    long total = 0;
    for (int p = 0; p < exact.size(); p++) {
      Set<String> names = new HashSet<>();
      found.get(p).candidates().forEach(c -> names.add(c.identity()));
      for (Candidate c : exact.get(p).candidates()) {
        total++;
        hits += names.contains(c.identity()) ? 1 : 0;
      }
    }
    return (double) hits / total;
  }

  @Test
  void writesAreVisibleIdempotentAndLeaveNoTrace() throws Exception {
    Embedding a1 = unit(1, 0, 0, 0);
    Embedding a2 = unit(1, 1, 0, 0);
    Embedding b1 = unit(0, 0, 1, 0);
    try (Gallery gallery = index("writes", "test", 4).shards(1, 0).create()) {
      gallery.enroll("alice", a1, a2);
      gallery.enroll("alice", a1); // a retried write changes nothing
      gallery.enroll("bob", b1);
      assertThat(gallery.templateCount()).isEqualTo(3);
      assertThat(gallery.identify(a1, 1).candidates().get(0))
          .isEqualTo(new Candidate("alice", 1f)); // visible as soon as enroll returned
      assertThat(gallery.similarityTo("alice", unit(0, 1, 0, 0)))
          .isCloseTo((float) Math.sqrt(0.5), within(1e-6f));

      assertThat(gallery.removeTemplate("alice", a2)).isTrue();
      assertThat(gallery.removeTemplate("alice", a2)).isFalse();
      assertThat(gallery.templates("alice")).containsExactly(a1);

      gallery.rename("alice", "carol");
      assertThat(gallery.identities()).containsExactly("bob", "carol");
      assertThat(gallery.identify(a1, 1).match().orElseThrow().identity()).isEqualTo("carol");
      assertThatThrownBy(() -> gallery.rename("alice", "dave"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not enrolled: 'alice'");
      assertThatThrownBy(() -> gallery.rename("carol", "bob"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already enrolled: 'bob'");
      assertThatThrownBy(() -> gallery.templates("alice"))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(gallery.remove("carol")).isTrue();
      assertThat(gallery.remove("carol")).isFalse();
      assertThat(gallery.identify(a1, 5).candidates())
          .extracting(Candidate::identity)
          .containsOnly("bob");
      assertThat(gallery.templateCount()).isEqualTo(1);

      assertThat(gallery.identities()).containsExactly("bob");
      // Physically gone once OpenSearch stops keeping the deletes for replica recovery: its
      // retention leases renew every 30 s, so compaction erases them within about that.
      long deleted = -1;
      for (long deadline = System.nanoTime() + 90_000_000_000L;
          deleted != 0 && System.nanoTime() < deadline; ) {
        gallery.compact();
        deleted =
            cluster
                .client()
                .indices()
                .stats(s -> s.index("writes"))
                .all()
                .primaries()
                .docs()
                .deleted();
        if (deleted != 0) {
          Thread.sleep(5000);
        }
      }
      var docs = cluster.client().indices().stats(s -> s.index("writes")).all().primaries().docs();
      assertThat(docs.count()).isEqualTo(1);
      assertThat(docs.deleted()).as("removed templates left in the index").isZero();
    }
  }

  @Test
  void thresholdSettingsAndExportSurviveReopening(@TempDir Path dir) {
    LfwFaces faces = LfwFaces.load(60);
    Map<String, List<Embedding>> people = new LinkedHashMap<>();
    faces.people.forEach((name, list) -> people.put(name, list.subList(0, 2)));
    Gallery memory = Gallery.create(faces.embedderId, faces.dimension);
    memory.enrollAll(people);
    try (Gallery remote = index("settings", faces.embedderId, faces.dimension).create()) {
      remote.enrollAll(people);
      assertThat(remote.threshold()).isEqualTo(memory.threshold()); // the default target FPIR
      remote.setThreshold(0.42f);
    }
    try (Gallery remote = index("settings", faces.embedderId, faces.dimension).open()) {
      assertThat(remote.threshold()).isEqualTo(0.42f);
      remote.setTargetFpir(Calibration.bundled(), 0.001);
      memory.setTargetFpir(Calibration.bundled(), 0.001);
    }
    try (Gallery remote = index("settings", faces.embedderId, faces.dimension).open()) {
      assertThat(remote.threshold()).isEqualTo(memory.threshold()).isNotEqualTo(0.42f);
      remote.save(dir.resolve("export.gallery"));
    }
    Gallery exported = Gallery.load(dir.resolve("export.gallery"));
    assertThat(exported.identities()).isEqualTo(memory.identities());
    for (String name : memory.identities()) {
      assertThat(new HashSet<>(exported.templates(name)))
          .isEqualTo(new HashSet<>(memory.templates(name)));
    }
    assertThat(exported.threshold()).isEqualTo(memory.threshold());
  }

  @Test
  void refusesMissingForeignAndMismatchedIndices() throws Exception {
    assertThatThrownBy(() -> index("absent", "test", 4).open())
        .isInstanceOf(TemplateStoreException.class)
        .hasMessageContaining("'absent' does not exist");
    cluster.client().indices().create(c -> c.index("plain"));
    assertThatThrownBy(() -> index("plain", "test", 4).open())
        .isInstanceOf(TemplateStoreException.class)
        .hasMessageContaining("not a Semblance gallery");
    index("made", "model-a", 4).create().close();
    assertThatThrownBy(() -> index("made", "model-b", 4).open())
        .isInstanceOf(TemplateStoreException.class)
        .hasMessageContaining("embedder model-a, not 4-d of model-b");
    assertThatThrownBy(() -> index("made", "model-a", 8).open())
        .isInstanceOf(TemplateStoreException.class)
        .hasMessageContaining("4-d templates");
    assertThatThrownBy(() -> index("made", "model-a", 4).create())
        .isInstanceOf(TemplateStoreException.class)
        .hasMessageContaining("resource_already_exists");
    assertThatThrownBy(() -> OpenSearchGallery.builder(cluster.client(), "Bad Name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bad Name'");
    assertThatThrownBy(() -> OpenSearchGallery.builder(cluster.client(), "x").create())
        .isInstanceOf(IllegalStateException.class);

    try (Gallery gallery = index("made", "model-a", 4).open()) {
      gallery.enroll("alice", unit(1, 0, 0, 0));
      assertThatThrownBy(() -> gallery.identify(unit(1, 0), 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dimension 2");
      // An index deleted under a gallery is an error, never an empty answer.
      cluster.client().indices().delete(d -> d.index("made"));
      assertThatThrownBy(() -> gallery.identify(unit(1, 0, 0, 0), 1))
          .isInstanceOf(TemplateStoreException.class)
          .hasMessageContaining("index_not_found");
      assertThatThrownBy(gallery::templateCount)
          .isInstanceOf(TemplateStoreException.class)
          .hasMessageContaining("index_not_found");
    }
  }

  @Test
  void concurrentWritersAndSearchersLoseNothing() throws Exception {
    int writers = 4;
    int perWriter = 30;
    Map<String, Embedding> expected = new ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    // Forced refreshes: the same visibility as wait_for, without a second per write.
    try (Gallery gallery = index("concurrent", "test", 16).forceRefresh(true).create()) {
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        tasks.add(
            pool.submit(
                () -> {
                  java.util.Random random = new java.util.Random(writer);
                  for (int i = 0; i < perWriter; i++) {
                    float[] v = new float[16];
                    for (int j = 0; j < v.length; j++) {
                      v[j] = (float) random.nextGaussian();
                    }
                    String name = "w" + writer + "-" + i;
                    gallery.enroll(name, Embedding.of(v));
                    expected.put(name, Embedding.of(v));
                    if (i % 5 == 4) {
                      String gone = "w" + writer + "-" + (i - 2);
                      assertThat(gallery.remove(gone)).isTrue();
                      expected.remove(gone);
                    }
                  }
                  return null;
                }));
      }
      List<Future<Integer>> searchers = new ArrayList<>();
      for (int s = 0; s < 2; s++) {
        searchers.add(
            pool.submit(
                () -> {
                  int searches = 0;
                  while (writing.get()) {
                    for (Identification id :
                        gallery.identifyAll(List.of(unit(randomProbe(searches))), 3)) {
                      assertThat(id.candidates().size()).isLessThanOrEqualTo(3);
                    }
                    searches++;
                  }
                  return searches;
                }));
      }
      for (Future<?> task : tasks) {
        task.get();
      }
      writing.set(false);
      for (Future<Integer> s : searchers) {
        assertThat(s.get()).isPositive();
      }
      assertThat(gallery.identities()).isEqualTo(new java.util.TreeSet<>(expected.keySet()));
      assertThat(gallery.templateCount()).isEqualTo(expected.size());
      expected.forEach(
          (name, template) ->
              assertThat(gallery.identify(template, 1).candidates().get(0).identity())
                  .isEqualTo(name));
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[] randomProbe(int seed) {
    java.util.Random random = new java.util.Random(1000 + seed);
    float[] v = new float[16];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) random.nextGaussian();
    }
    return v;
  }
}
