package dev.semblance.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.semblance.Calibration;
import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.Interval;
import dev.semblance.ThresholdReport;
import dev.semblance.evaluation.Scores;
import dev.semblance.testing.UnitVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Gallery} does, whatever keeps its templates: run over each backing by a
 * subclass that says how to make one (and, where it persists, how to open it again). Like Lucene's
 * {@code BaseKnnVectorsFormatTestCase}: a new backing passes this before it counts as one.
 *
 * <p>Embeddings are random unit vectors with planted similarities, so every answer is known
 * exactly; real faces are searched in each backing's own tests.
 */
public abstract class GalleryContract {
  protected static final String EMBEDDER = "contract-embedder";
  protected static final int DIM = 32;

  @TempDir protected Path temp;
  private final UnitVectors vectors = new UnitVectors(20261206, DIM);
  private final List<Gallery> opened = new ArrayList<>();

  /** A new, empty gallery of {@link #EMBEDDER} and {@link #DIM}, with its own storage. */
  protected abstract Gallery newGallery();

  /**
   * The same gallery opened again after {@code gallery} was closed, or null where the backing keeps
   * nothing once closed (a gallery in memory reopens from a file it saved).
   */
  protected abstract Gallery reopen(Gallery gallery);

  private Gallery gallery() {
    return track(newGallery());
  }

  private Gallery track(Gallery gallery) {
    opened.add(gallery);
    return gallery;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(Gallery::close);
  }

  protected Embedding randomUnit() {
    return vectors.random();
  }

  /** A unit vector at cosine similarity {@code cos} to {@code base} (to float precision). */
  protected Embedding near(Embedding base, double cos) {
    return vectors.near(base, cos);
  }

  private static List<String> names(Identification id) {
    return id.candidates().stream().map(Candidate::identity).toList();
  }

  @Test
  void enrolsAndIdentifiesTheClosestIdentityWithExactSimilarities() {
    Gallery gallery = gallery();
    assertThat(gallery.embedderId()).isEqualTo(EMBEDDER);
    assertThat(gallery.dimension()).isEqualTo(DIM);
    Embedding alice = randomUnit(), bob = randomUnit(), carol = randomUnit();
    gallery.enroll("alice", alice);
    gallery.enroll("bob", bob, near(bob, 0.2));
    gallery.enrollAll(Map.of("carol", List.of(carol)));
    gallery.setThreshold(0.5f);

    Embedding probe = near(alice, 0.9);
    Identification id = gallery.identify(probe, 3);
    assertThat(id.match()).map(Candidate::identity).contains("alice");
    assertThat(id.candidates().get(0).similarity()).isCloseTo(0.9f, within(1e-4f));
    assertThat(id.candidates()).hasSize(3);
    assertThat(id.threshold()).isEqualTo(0.5f);
    // Bob scores his closest template.
    Embedding nearBob = near(bob, 0.7);
    assertThat(gallery.similarityTo("bob", nearBob)).isCloseTo(0.7f, within(1e-4f));
    assertThat(gallery.identify(nearBob, 1).candidates().get(0).identity()).isEqualTo("bob");
    assertThat(gallery.identities()).containsExactly("alice", "bob", "carol");
    assertThat(gallery.size()).isEqualTo(3);
    assertThat(gallery.templateCount()).isEqualTo(4);
    assertThat(gallery.templates("bob")).hasSize(2);
    assertThat(gallery.templates("alice").get(0).toArray()).containsExactly(alice.toArray());
  }

  @Test
  void aProbeBelowTheThresholdIsUnknownButStillRanked() {
    Gallery gallery = gallery();
    Embedding alice = randomUnit();
    gallery.enroll("alice", alice);
    gallery.setThreshold(0.8f);
    Identification id = gallery.identify(near(alice, 0.6), 5);
    assertThat(id.match()).isEmpty();
    assertThat(names(id)).containsExactly("alice");
    assertThat(gallery.identify(randomUnit(), 1).match()).isEmpty();
  }

  @Test
  void identifyAllAnswersEachProbeAsIdentifyDoes() {
    Gallery gallery = gallery();
    List<Embedding> people = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      people.add(randomUnit());
      gallery.enroll("p" + i, people.get(i));
    }
    List<Embedding> probes = new ArrayList<>();
    for (int i = 0; i < 40; i += 3) {
      probes.add(near(people.get(i), 0.8));
    }
    List<Identification> all = gallery.identifyAll(probes, 4);
    assertThat(all).hasSize(probes.size());
    for (int i = 0; i < probes.size(); i++) {
      assertThat(all.get(i)).isEqualTo(gallery.identify(probes.get(i), 4));
      assertThat(names(all.get(i)).get(0)).isEqualTo("p" + (3 * i));
    }
    assertThat(gallery.identifyAll(List.of(), 3)).isEmpty();
  }

  @Test
  void removeErasesAnIdentityFromEverySearch() {
    Gallery gallery = gallery();
    Embedding alice = randomUnit(), bob = randomUnit();
    gallery.enroll("alice", alice);
    gallery.enroll("bob", bob);
    assertThat(gallery.remove("alice")).isTrue();
    assertThat(gallery.remove("alice")).isFalse();
    assertThat(gallery.remove("nobody")).isFalse();
    assertThat(gallery.contains("alice")).isFalse();
    assertThat(names(gallery.identify(alice, 5))).containsExactly("bob");
    assertThat(gallery.templateCount()).isEqualTo(1);
    // The name can be enrolled afresh.
    Embedding newAlice = randomUnit();
    gallery.enroll("alice", newAlice);
    assertThat(gallery.templates("alice")).hasSize(1);
    assertThat(gallery.similarityTo("alice", newAlice)).isCloseTo(1f, within(1e-5f));
  }

  @Test
  void renameMovesTheTemplatesAndRefusesWithoutChangingAnything() {
    Gallery gallery = gallery();
    Embedding alice = randomUnit(), bob = randomUnit();
    gallery.enroll("alice", alice, near(alice, 0.5));
    gallery.enroll("bob", bob);
    gallery.rename("alice", "alicia");
    assertThat(gallery.identities()).containsExactly("alicia", "bob");
    assertThat(gallery.templates("alicia")).hasSize(2);
    assertThat(names(gallery.identify(alice, 1))).containsExactly("alicia");

    assertThatThrownBy(() -> gallery.rename("nobody", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nobody");
    assertThatThrownBy(() -> gallery.rename("alicia", "bob"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bob");
    assertThatThrownBy(() -> gallery.rename("bob", " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(gallery.identities()).containsExactly("alicia", "bob");
    assertThat(gallery.templateCount()).isEqualTo(3);
  }

  @Test
  void removeTemplateRemovesOnlyThatTemplateAndTheLastTakesTheIdentity() {
    Gallery gallery = gallery();
    Embedding first = randomUnit(), second = randomUnit();
    gallery.enroll("alice", first, second);
    Embedding stored = gallery.templates("alice").get(0);
    assertThat(gallery.removeTemplate("alice", randomUnit())).isFalse();
    assertThat(gallery.removeTemplate("alice", stored)).isTrue();
    assertThat(gallery.templates("alice")).hasSize(1);
    assertThat(gallery.removeTemplate("alice", stored)).isFalse();
    assertThatThrownBy(() -> gallery.removeTemplate("nobody", stored))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nobody");
    assertThat(gallery.removeTemplate("alice", gallery.templates("alice").get(0))).isTrue();
    assertThat(gallery.contains("alice")).isFalse();
    assertThat(gallery.templateCount()).isZero();
  }

  @Test
  void badInputIsRefusedAndNothingIsStored() {
    Gallery gallery = gallery();
    Embedding alice = randomUnit();
    gallery.enroll("alice", alice);
    Embedding wrongDimension = Embedding.of(new float[] {1, 0, 0});
    assertThatThrownBy(() -> gallery.enroll("bob", wrongDimension))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension");
    assertThatThrownBy(() -> gallery.enroll("", alice))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gallery.enroll("bad\nname", alice))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gallery.enroll("bob", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> gallery.enrollAll(Map.of("bob", List.of(randomUnit()), "eve", List.of())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gallery.identify(alice, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gallery.identify(wrongDimension, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gallery.similarityTo("nobody", alice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nobody");
    assertThatThrownBy(() -> gallery.templates("nobody"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gallery.setThreshold(1.5f))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(gallery.identities()).containsExactly("alice");
    assertThat(gallery.templateCount()).isEqualTo(1);
  }

  @Test
  void everyChangeAndTheSettingsOutliveReopening() {
    Gallery gallery = gallery();
    Embedding alice = randomUnit(), aliceAgain = near(alice, 0.3), bob = randomUnit();
    gallery.enroll("alice", alice, aliceAgain);
    gallery.enroll("bob", bob);
    gallery.enroll("carol", randomUnit());
    gallery.remove("bob");
    gallery.rename("carol", "caroline");
    gallery.removeTemplate("alice", aliceAgain);
    gallery.setThreshold(0.625f);
    Embedding probe = near(alice, 0.7);
    Identification before = gallery.identify(probe, 5);

    Gallery again = reopenedOrLoaded(gallery);
    assertThat(again.identities()).containsExactly("alice", "caroline");
    assertThat(again.templateCount()).isEqualTo(2);
    assertThat(again.threshold()).isEqualTo(0.625f);
    assertThat(again.identify(probe, 5)).isEqualTo(before);
    assertThat(again.templates("alice").get(0).toArray()).containsExactly(alice.toArray());
  }

  /** {@link #reopen}, or a save and load where the backing keeps nothing. */
  private Gallery reopenedOrLoaded(Gallery gallery) {
    Gallery reopened = reopen(gallery);
    if (reopened != null) {
      return track(reopened);
    }
    Path file = temp.resolve("saved.gallery");
    gallery.save(file);
    gallery.close();
    return track(Gallery.load(file));
  }

  @Test
  void aSavedFileLoadsToTheSameAnswers() {
    Gallery gallery = gallery();
    for (int i = 0; i < 20; i++) {
      gallery.enroll("p" + i, randomUnit());
    }
    gallery.setThreshold(0.4f);
    Path file = temp.resolve("export.gallery");
    gallery.save(file);
    Gallery loaded = track(Gallery.load(file));
    Embedding probe = randomUnit();
    assertThat(loaded.identities()).isEqualTo(gallery.identities());
    assertThat(loaded.threshold()).isEqualTo(0.4f);
    assertThat(loaded.identify(probe, 5)).isEqualTo(gallery.identify(probe, 5));
  }

  @Test
  void concurrentWritersAndSearchersEndInTheStateOfTheirWrites() throws Exception {
    Gallery gallery = gallery();
    int writers = 4, each = 15;
    List<List<Embedding>> planned = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      List<Embedding> mine = new ArrayList<>();
      for (int i = 0; i < each; i++) {
        mine.add(randomUnit());
      }
      planned.add(mine);
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    gallery.enroll("w" + writer + "-" + i, planned.get(writer).get(i));
                    if (i % 3 == 0) {
                      gallery.remove("w" + writer + "-" + i);
                    }
                  }
                }));
      }
      for (int s = 0; s < 2; s++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 30; i++) {
                    for (Candidate c : gallery.identify(planned.get(0).get(1), 3).candidates()) {
                      assertThat(c.similarity()).isBetween(-1f, 1f);
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(gallery.size()).isEqualTo(writers * (each - 5));
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < each; i++) {
        assertThat(gallery.contains("w" + w + "-" + i)).isEqualTo(i % 3 != 0);
      }
      Identification id = gallery.identify(planned.get(w).get(1), 1);
      assertThat(names(id)).containsExactly("w" + w + "-1");
    }
  }

  @Test
  void aSelfSearchSetsTheThresholdThatHoldsTheTargetOnStrangers() {
    Gallery gallery = gallery();
    Map<String, List<Embedding>> people = new LinkedHashMap<>();
    for (int i = 0; i < 1500; i++) {
      Embedding face = randomUnit();
      // A hundred people enrolled twice: a search must leave the whole identity out, or their
      // own second template (0.95) would pose as a stranger's match.
      people.put("p" + i, i < 100 ? List.of(face, near(face, 0.95)) : List.of(face));
    }
    gallery.enrollAll(people);
    float[] impostors = new float[200_000];
    for (int i = 0; i < impostors.length; i++) {
      impostors[i] = (float) randomUnit().toArray()[0]; // any score distribution will do
    }
    gallery.setTargetFpir(
        Calibration.fromScores(EMBEDDER, "contract", Scores.of(new float[] {0.9f}, impostors)),
        0.01);
    assertThat(gallery.thresholdReport().basis()).isEqualTo(ThresholdReport.Basis.CALIBRATION);

    ThresholdReport report = gallery.calibrateThreshold();

    assertThat(report.basis()).isEqualTo(ThresholdReport.Basis.SELF_SEARCH);
    assertThat(report.selfSearches()).isEqualTo(1600); // every template, fewer than 5,000
    assertThat(report.targetHeld()).isTrue();
    assertThat(report.expectedFpir().high()).isLessThanOrEqualTo(0.01); // vouched for at 90%
    assertThat(report.expectedFpir().estimate()).isBetween(0.004, 0.01);
    assertThat(gallery.threshold()).isEqualTo(report.threshold());
    // The threshold is the most lenient that no more than `allowed` of the templates' best other
    // identities reach, as searched here by brute force (a store's shortlist may miss a little),
    // where `allowed` of 1,600 is the most whose 90% interval stays under 1%.
    float[] bestOther = new float[1600];
    int k = 0;
    for (Map.Entry<String, List<Embedding>> person : people.entrySet()) {
      for (Embedding template : person.getValue()) {
        float best = -1;
        for (Map.Entry<String, List<Embedding>> other : people.entrySet()) {
          if (!other.getKey().equals(person.getKey())) {
            for (Embedding t : other.getValue()) {
              best = Math.max(best, template.similarity(t));
            }
          }
        }
        bestOther[k++] = best;
      }
    }
    Arrays.sort(bestOther);
    int allowed = 16;
    while (Interval.wilson(allowed, 1600).high() > 0.01) {
      allowed--;
    }
    assertThat(report.threshold()).isCloseTo(bestOther[1600 - 1 - allowed], within(0.01f));
    // Strangers from the same population are wrongly named about as often as the target.
    List<Embedding> strangers = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      strangers.add(randomUnit());
    }
    long named = gallery.identifyAll(strangers, 1).stream().filter(Identification::isKnown).count();
    assertThat(named / 3000.0).isBetween(0.002, 0.015);
  }

  @Test
  void aClosedGalleryRefusesUse() {
    Gallery gallery = gallery();
    gallery.enroll("alice", randomUnit());
    gallery.close();
    gallery.close(); // idempotent
    assertThatThrownBy(() -> gallery.identify(randomUnit(), 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> gallery.enroll("bob", randomUnit()))
        .isInstanceOf(IllegalStateException.class);
    assertThat(gallery.toString()).contains("closed");
  }
}
