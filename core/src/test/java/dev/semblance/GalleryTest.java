package dev.semblance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.testing.UnitVectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gallery bookkeeping and file format on random unit vectors; real faces are in onnx-backend. */
class GalleryTest {
  private static final int DIM = 64;
  private final UnitVectors vectors = new UnitVectors(11, DIM);
  @TempDir Path dir;

  private Embedding randomUnit() {
    return vectors.random();
  }

  /** An embedding at cosine similarity about {@code cos} to {@code base}. */
  private Embedding near(Embedding base, double cos) {
    return vectors.near(base, cos);
  }

  @Test
  void identifiesTheClosestIdentityAndRanksTheRest() {
    Gallery gallery = Gallery.create("test", DIM);
    List<Embedding> people = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Embedding e = randomUnit();
      people.add(e);
      gallery.enroll("person-" + i, e);
    }
    Identification id = gallery.identify(near(people.get(17), 0.8), 5);
    assertThat(id.candidates()).hasSize(5);
    assertThat(id.candidates().get(0).identity()).isEqualTo("person-17");
    assertThat(id.candidates().get(0).similarity()).isCloseTo(0.8f, Offset.offset(1e-4f));
    assertThat(id.candidates())
        .isSortedAccordingTo((a, b) -> Float.compare(b.similarity(), a.similarity()));
    assertThat(id.match()).map(Candidate::identity).contains("person-17");
  }

  @Test
  void aProbeBelowTheThresholdIsUnknown() {
    Gallery gallery = Gallery.create("test", DIM);
    Embedding alice = randomUnit();
    gallery.enroll("alice", alice);
    gallery.setThreshold(0.5f);
    Identification stranger = gallery.identify(near(alice, 0.3), 3);
    assertThat(stranger.isKnown()).isFalse();
    assertThat(stranger.match()).isEmpty();
    assertThat(stranger.candidates()).extracting(Candidate::identity).containsExactly("alice");
    assertThat(stranger.threshold()).isEqualTo(0.5f);
    assertThat(gallery.identify(near(alice, 0.6), 3).isKnown()).isTrue();
  }

  @Test
  void anIdentityScoresItsClosestTemplate() {
    Gallery gallery = Gallery.create("test", DIM);
    Embedding frontal = randomUnit();
    Embedding profile = randomUnit();
    gallery.enroll("bob", frontal);
    gallery.enroll("bob", profile); // more templates for the same person
    assertThat(gallery.size()).isEqualTo(1);
    assertThat(gallery.templateCount()).isEqualTo(2);
    assertThat(gallery.identify(near(profile, 0.9), 1).candidates().get(0).similarity())
        .isCloseTo(0.9f, Offset.offset(1e-4f));
  }

  @Test
  void removeErasesTheIdentityAndItsSlotIsReused() {
    Gallery gallery = Gallery.create("test", DIM);
    Embedding a = randomUnit();
    Embedding b = randomUnit();
    gallery.enroll("a", a);
    gallery.enroll("b", b);
    assertThat(gallery.remove("a")).isTrue();
    assertThat(gallery.remove("a")).isFalse();
    assertThat(gallery.identities()).containsExactly("b");
    assertThat(gallery.identify(a, 5).candidates())
        .extracting(Candidate::identity)
        .containsExactly("b");
    gallery.enroll("c", a);
    assertThat(gallery.identities()).containsExactly("b", "c");
    assertThat(gallery.identify(a, 1).candidates().get(0).identity()).isEqualTo("c");
    assertThat(gallery.templateCount()).isEqualTo(2);
  }

  @Test
  void misuseIsRefusedWithoutChangingTheGallery() {
    Gallery gallery = Gallery.create("test", DIM);
    gallery.enroll("a", randomUnit());
    Embedding wrongDim = Embedding.of(new float[] {1, 2, 3});
    assertThatThrownBy(() -> gallery.enroll("b", randomUnit(), wrongDim))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension 3 does not match the gallery's 64");
    assertThatThrownBy(() -> gallery.identify(wrongDim, 1)).hasMessageContaining("dimension 3");
    assertThatThrownBy(() -> gallery.identify(randomUnit(), 0))
        .hasMessageContaining("k must be positive");
    assertThatThrownBy(() -> gallery.enroll(" ", randomUnit())).hasMessageContaining("blank");
    assertThatThrownBy(() -> gallery.enroll("a\nb", randomUnit()))
        .hasMessageContaining("control characters");
    assertThatThrownBy(() -> gallery.enroll("x", List.of())).hasMessageContaining("no embedding");
    assertThat(gallery.identities()).containsExactly("a");
    assertThat(gallery.templateCount()).isEqualTo(1);
  }

  @Test
  void anEmptyGalleryKnowsNobody() {
    Identification id = Gallery.create("test", DIM).identify(randomUnit(), 3);
    assertThat(id.candidates()).isEmpty();
    assertThat(id.isKnown()).isFalse();
  }

  @Test
  void savesAndLoadsEverything() {
    Gallery gallery = Gallery.create("model@sha256:0123", DIM);
    gallery.setThreshold(0.42f);
    for (int i = 0; i < 20; i++) {
      gallery.enroll("person " + i + " é", randomUnit(), randomUnit());
    }
    gallery.remove("person 3 é");
    Path file = dir.resolve("g.gallery");
    gallery.save(file);
    Gallery loaded = Gallery.load(file);
    assertThat(loaded.embedderId()).isEqualTo("model@sha256:0123");
    assertThat(loaded.dimension()).isEqualTo(DIM);
    assertThat(loaded.threshold()).isEqualTo(0.42f);
    assertThat(loaded.identities()).isEqualTo(gallery.identities());
    assertThat(loaded.templateCount()).isEqualTo(38);
    Embedding probe = randomUnit();
    assertThat(loaded.identify(probe, 5)).isEqualTo(gallery.identify(probe, 5));
    // Saving again replaces the file atomically and leaves no temporary files behind.
    loaded.save(file);
    assertThat(dir.toFile().list()).containsExactly("g.gallery");
  }

  @Test
  void everyFlippedByteAndEveryTruncationIsDetected() throws IOException {
    Gallery gallery = Gallery.create("m", 4);
    gallery.enroll("a", Embedding.of(new float[] {1, 2, 3, 4}));
    gallery.enroll(
        "b", Embedding.of(new float[] {4, 3, 2, 1}), Embedding.of(new float[] {1, 0, 0, 0}));
    Path file = dir.resolve("small.gallery");
    gallery.save(file);
    byte[] good = Files.readAllBytes(file);
    Path bad = dir.resolve("bad.gallery");
    for (int i = 0; i < good.length; i++) {
      byte[] flipped = good.clone();
      flipped[i] ^= 0x5A;
      Files.write(bad, flipped);
      assertThatThrownBy(() -> Gallery.load(bad))
          .as("flip at %s", i)
          .isInstanceOf(GalleryFormatException.class);
    }
    for (int length = 0; length < good.length; length++) {
      Files.write(bad, Arrays.copyOf(good, length));
      assertThatThrownBy(() -> Gallery.load(bad))
          .as("truncated to %s", length)
          .isInstanceOf(GalleryFormatException.class);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 3);
    Files.write(bad, longer);
    assertThatThrownBy(() -> Gallery.load(bad))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("after the end record");
  }

  @Test
  void aNewerFormatVersionIsNamed() throws IOException {
    Gallery gallery = Gallery.create("m", 4);
    Path file = dir.resolve("v.gallery");
    gallery.save(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[9] = 9; // version u16 after the 8-byte magic
    Files.write(file, bytes);
    assertThatThrownBy(() -> Gallery.load(file))
        .isInstanceOf(GalleryFormatException.class)
        .hasMessageContaining("version 9 is newer");
  }

  @Test
  void aFailedSaveLeavesTheOldFileIntact() throws IOException {
    Gallery gallery = Gallery.create("m", DIM);
    gallery.enroll("a", randomUnit());
    Path file = dir.resolve("keep.gallery");
    gallery.save(file);
    byte[] before = Files.readAllBytes(file);
    Path notADirectory = file.resolve("child.gallery");
    assertThatThrownBy(() -> gallery.save(notADirectory)).isInstanceOf(UncheckedIOException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void concurrentSearchesSeeConsistentStateWhileWritersWork() throws Exception {
    Gallery gallery = Gallery.create("m", DIM);
    Embedding anchor = randomUnit();
    gallery.enroll("anchor", anchor);
    List<Embedding> others = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      others.add(randomUnit());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 2000; i++) {
                    Identification id = gallery.identify(anchor, 1);
                    if (!id.candidates().get(0).identity().equals("anchor")) {
                      throw new AssertionError("lost the anchor: " + id);
                    }
                  }
                  return null;
                }));
      }
      tasks.add(
          pool.submit(
              () -> {
                for (int round = 0; round < 20; round++) {
                  for (int i = 0; i < others.size(); i++) {
                    gallery.enroll("o" + i, others.get(i));
                  }
                  for (int i = 0; i < others.size(); i++) {
                    gallery.remove("o" + i);
                  }
                }
                return null;
              }));
      for (Future<?> f : tasks) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(gallery.identities()).containsExactly("anchor");
    assertThat(gallery.templateCount()).isEqualTo(1);
  }

  @Test
  void everyStorageAndBatchAnswersLikeTheFloat32Search() {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Gallery> galleries = new ArrayList<>();
      for (TemplateStorage storage : TemplateStorage.values()) {
        galleries.add(
            Gallery.create(
                "test", DIM, GalleryOptions.defaults().withStorage(storage).withExecutor(pool, 3)));
      }
      List<Embedding> enrolled = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        Embedding e = randomUnit();
        enrolled.add(e);
        for (Gallery g : galleries) {
          g.enroll("person-" + i, e);
        }
      }
      for (Gallery g : galleries) {
        g.remove("person-7");
      }
      List<Embedding> probes = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        probes.add(i % 2 == 0 ? near(enrolled.get(vectors.index(3000)), 0.6) : randomUnit());
      }
      probes.add(enrolled.get(7)); // the removed person must not come back
      Gallery reference = galleries.get(0);
      for (Gallery g : galleries) {
        List<Identification> batch = g.identifyAll(probes, 5);
        assertThat(batch).hasSize(probes.size());
        for (int i = 0; i < probes.size(); i++) {
          Identification expected = reference.identify(probes.get(i), 5);
          assertThat(g.identify(probes.get(i), 5))
              .as("%s, probe %s", g.options().storage(), i)
              .isEqualTo(expected);
          assertThat(batch.get(i))
              .as("%s, probe %s in a batch", g.options().storage(), i)
              .isEqualTo(expected);
        }
        assertThat(batch.get(probes.size() - 1).candidates())
            .extracting(Candidate::identity)
            .doesNotContain("person-7");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void searchOptionsAreCheckedAndKept() {
    assertThatThrownBy(() -> GalleryOptions.defaults().withExecutor(Runnable::run, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parallelism");
    assertThatThrownBy(() -> GalleryOptions.defaults().withStorage(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("storage");
    GalleryOptions int8 = GalleryOptions.defaults().withStorage(TemplateStorage.INT8);
    Gallery gallery = Gallery.create("test", DIM, int8);
    Embedding alice = randomUnit();
    gallery.enroll("alice", alice);
    Path file = dir.resolve("int8.gallery");
    gallery.save(file);
    // The file holds float32 templates whatever the storage; storage is chosen when loading.
    Gallery loaded =
        Gallery.load(file, GalleryOptions.defaults().withStorage(TemplateStorage.FLOAT16));
    assertThat(loaded.options().storage()).isEqualTo(TemplateStorage.FLOAT16);
    assertThat(loaded.identify(alice, 1).candidates().get(0).similarity())
        .isEqualTo(gallery.identify(alice, 1).candidates().get(0).similarity());
    assertThat(gallery.identifyAll(List.of(), 3)).isEmpty();
    assertThat(Gallery.searchKernel()).isNotBlank();
  }

  @Test
  void aClosedGalleryRefusesUseButItsFileStays() {
    Gallery gallery = Gallery.create("test", DIM);
    Embedding alice = randomUnit();
    gallery.enroll("alice", alice);
    Path file = dir.resolve("closed.gallery");
    gallery.save(file);
    gallery.close();
    gallery.close(); // idempotent
    assertThatThrownBy(() -> gallery.identify(alice, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> gallery.enroll("bob", randomUnit()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(gallery.toString()).contains("closed");
    assertThat(Gallery.load(file).identify(alice, 1).candidates().get(0).identity())
        .isEqualTo("alice");
  }
}
