package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Box;
import dev.semblance.Detection;
import dev.semblance.Embedding;
import dev.semblance.RgbFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tracker alone, no model: scripted boxes and embeddings of people who cross, hide each other,
 * leave and come back, and shots that cut. Each face is embedded only where the tracker asks for
 * it, as the watcher does, so that what it chooses not to embed is tested too.
 */
class TrackerTest {
  private static final int DIM = 64;
  private static final int EVERY = 5; // a detection every 5th frame, at 25 fps
  private static final Tracker.Settings SETTINGS =
      new Tracker.Settings(2, 25, 0.3f, 0.8f, 0.34f, 0.47f, Duration.ofSeconds(30), 5, 25);

  /** A person's face: a fixed direction, seen with a little noise each time. */
  private final Map<String, float[]> faces = new HashMap<>();

  private final Random random = new Random(7);
  private final List<FaceEvent> events = new ArrayList<>();
  private final Tracker tracker = new Tracker(SETTINGS, events::add);

  /** Whose face each track's evidence came from, per track. */
  private final Map<Integer, Set<String>> evidenceOf = new HashMap<>();

  /** The track each person's detections went to, frame by frame. */
  private final Map<String, List<Integer>> tracksOf = new HashMap<>();

  private int embedded;

  /** One detection of a scripted person in a frame. */
  private record Seen(String person, Box box, float score) {
    Seen(String person, Box box) {
      this(person, box, 0.95f);
    }
  }

  private static Box at(double x, double y, double size) {
    return new Box((float) x, (float) y, (float) (x + size), (float) (y + size));
  }

  private Embedding embed(String person) {
    float[] base =
        faces.computeIfAbsent(
            person,
            p -> {
              float[] v = new float[DIM];
              for (int i = 0; i < DIM; i++) {
                v[i] = (float) random.nextGaussian();
              }
              return v;
            });
    float[] noisy = new float[DIM];
    float norm = 0;
    for (float b : base) {
      norm += b * b;
    }
    float scale = (float) (0.35 * Math.sqrt(norm / DIM));
    for (int i = 0; i < DIM; i++) {
      noisy[i] = base[i] + scale * (float) random.nextGaussian();
    }
    return Embedding.of(noisy);
  }

  /** One detection frame: embeds what the tracker asks for, then updates it. */
  private void step(int frame, List<Seen> seen) {
    List<Detection> detections = seen.stream().map(s -> new Detection(s.box(), s.score())).toList();
    boolean[] need = tracker.needsEmbedding(frame, detections);
    List<Tracker.Observation> observations = new ArrayList<>();
    for (int d = 0; d < seen.size(); d++) {
      Seen s = seen.get(d);
      Embedding e = need[d] ? embed(s.person()) : null;
      embedded += need[d] ? 1 : 0;
      // The thumbnail's one pixel says whose face it was, to check the evidence afterwards.
      byte[] tag = {(byte) s.person().hashCode(), 0, 0};
      // An embedded face is ranked by its quality, a score on another scale than the detector's.
      float quality = 0.4f * s.score();
      observations.add(
          new Tracker.Observation(s.box(), s.score(), e, quality, () -> RgbFrame.of(1, 1, tag)));
    }
    tracker.update(frame, time(frame), observations);
    for (Track t : tracker.tracks()) {
      Set<String> people = evidenceOf.computeIfAbsent(t.id, k -> new HashSet<>());
      for (Track.Evidence ev : t.evidence) {
        for (String p : faces.keySet()) {
          if ((byte) p.hashCode() == ev.thumbnail().rgb()[0]) {
            people.add(p);
          }
        }
      }
      if (t.lastSeenFrame == frame) {
        for (int d = 0; d < seen.size(); d++) {
          if (t.box().iou(seen.get(d).box()) > 0.5f) {
            tracksOf.computeIfAbsent(seen.get(d).person(), k -> new ArrayList<>()).add(t.id);
          }
        }
      }
    }
  }

  private static Duration time(int frame) {
    return Duration.ofMillis(40L * frame);
  }

  private List<FaceEvent.Left> left() {
    tracker.finish(Duration.ofHours(1));
    return events.stream()
        .filter(e -> e instanceof FaceEvent.Left)
        .map(e -> (FaceEvent.Left) e)
        .toList();
  }

  /** Every track's evidence is one person's. */
  private void assertEvidenceIsNeverMixed() {
    evidenceOf.forEach(
        (track, people) ->
            assertThat(people).as("people in track %d's evidence", track).hasSizeLessThan(2));
  }

  @Test
  void twoFacesThatMeetAndTurnBackKeepTheirTracks() {
    // They walk towards each other, meet face to face (one hides the other for three detections),
    // and walk back the way they came: motion alone would carry each track on to the other side.
    for (int f = 0; f <= 200; f += EVERY) {
      double t = f <= 100 ? f / 100.0 : (200 - f) / 100.0;
      Box ann = at(100 + 200 * t, 100, 120);
      Box bob = at(500 - 200 * t, 104, 120);
      List<Seen> seen = new ArrayList<>();
      seen.add(new Seen("bob", bob));
      if (Math.abs(f - 100) > 10) {
        seen.add(new Seen("ann", ann));
      }
      step(f, seen);
    }
    assertEvidenceIsNeverMixed();
    assertThat(new HashSet<>(tracksOf.get("ann"))).hasSize(1);
    assertThat(new HashSet<>(tracksOf.get("bob"))).hasSize(1);
    assertThat(tracksOf.get("ann").get(0)).isNotEqualTo(tracksOf.get("bob").get(0));
    List<FaceEvent.Left> left = left();
    assertThat(left).hasSize(2);
    FaceEvent.Left ann =
        left.stream()
            .filter(l -> l.track() == tracksOf.get("ann").get(0))
            .findFirst()
            .orElseThrow();
    // Hidden for five detections (frames 90 to 110): last seen at 85, so 1 s out of view.
    assertThat(ann.unseen()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void facesThatCrossKeepTheirTracks() {
    for (int f = 0; f <= 200; f += EVERY) {
      Box ann = at(100 + 2 * f, 100, 120);
      Box bob = at(500 - 2 * f, 110, 120);
      List<Seen> seen = new ArrayList<>();
      seen.add(new Seen("ann", ann));
      if (Math.abs(f - 100) > 10) {
        seen.add(new Seen("bob", bob));
      }
      step(f, seen);
    }
    assertEvidenceIsNeverMixed();
    assertThat(new HashSet<>(tracksOf.get("ann"))).hasSize(1);
    assertThat(new HashSet<>(tracksOf.get("bob"))).hasSize(1);
    assertThat(left()).hasSize(2);
  }

  @Test
  void aFaceThatIsSomeoneElseStartsItsOwnTrack() {
    // Ann stands still; from frame 50 Bob stands exactly where she stood (a cut not detected).
    for (int f = 0; f <= 150; f += EVERY) {
      step(f, List.of(new Seen(f < 50 ? "ann" : "bob", at(200, 100, 120))));
    }
    // A lone face is embedded at least every 25 frames: by then Bob has his own track, and none
    // of his faces ever entered Ann's evidence.
    assertEvidenceIsNeverMixed();
    int ann = tracksOf.get("ann").get(0);
    List<Integer> bob = tracksOf.get("bob");
    assertThat(new HashSet<>(tracksOf.get("ann"))).containsExactly(ann);
    assertThat(bob.subList(5, bob.size()))
        .doesNotContain(ann)
        .containsOnly(bob.get(bob.size() - 1));
    assertThat(evidenceOf.get(bob.get(bob.size() - 1))).containsExactly("bob");
  }

  @Test
  void aCutEndsEveryTrack() {
    for (int f = 0; f < 50; f += EVERY) {
      step(f, List.of(new Seen("ann", at(200, 100, 120)), new Seen("bob", at(600, 100, 120))));
    }
    tracker.cut(time(50));
    assertThat(tracker.tracks()).isEmpty();
    assertThat(events).filteredOn(e -> e instanceof FaceEvent.Left).hasSize(2);
    for (int f = 50; f < 100; f += EVERY) {
      step(f, List.of(new Seen("cat", at(200, 100, 120))));
    }
    assertThat(new HashSet<>(tracksOf.get("cat"))).hasSize(1);
    assertThat(tracksOf.get("cat").get(0)).isNotIn(tracksOf.get("ann"));
  }

  @Test
  void aPersonWhoComesBackIsTheSamePerson() {
    for (int f = 0; f < 50; f += EVERY) {
      step(f, List.of(new Seen("ann", at(200, 100, 120)), new Seen("bob", at(600, 100, 120))));
    }
    // Ann is away for 3 s (longer than a track waits); Bob stays.
    for (int f = 50; f < 125; f += EVERY) {
      step(f, List.of(new Seen("bob", at(600, 100, 120))));
    }
    for (int f = 125; f < 175; f += EVERY) {
      step(f, List.of(new Seen("ann", at(300, 150, 110)), new Seen("bob", at(600, 100, 120))));
    }
    tracker.cut(time(175));
    for (int f = 175; f < 225; f += EVERY) {
      step(f, List.of(new Seen("cat", at(300, 150, 110))));
    }
    List<FaceEvent.Appeared> appeared =
        events.stream()
            .filter(e -> e instanceof FaceEvent.Appeared)
            .map(e -> (FaceEvent.Appeared) e)
            .toList();
    assertThat(appeared).hasSize(4);
    Map<Integer, Integer> personOf = new HashMap<>();
    appeared.forEach(a -> personOf.put(a.track(), a.person()));
    int annFirst = tracksOf.get("ann").get(0);
    int annAgain = tracksOf.get("ann").get(tracksOf.get("ann").size() - 1);
    assertThat(annAgain).isNotEqualTo(annFirst);
    assertThat(personOf.get(annAgain)).isEqualTo(personOf.get(annFirst));
    assertThat(personOf.get(tracksOf.get("cat").get(0)))
        .isNotIn(personOf.get(annFirst), personOf.get(tracksOf.get("bob").get(0)));
    FaceEvent.Left annLeft =
        left().stream().filter(l -> l.track() == annAgain).findFirst().orElseThrow();
    // Last seen at frame 45, back at frame 125: 3.2 s away.
    assertThat(annLeft.unseen()).isEqualTo(Duration.ofMillis(40 * 80));
  }

  @Test
  void aWeakDetectionContinuesATrackButStartsNone() {
    for (int f = 0; f < 50; f += EVERY) {
      step(f, List.of(new Seen("ann", at(200 + f, 100, 120))));
    }
    // Half hidden: the detector is less sure, but it is still Ann; a weak box elsewhere is noise.
    for (int f = 50; f < 80; f += EVERY) {
      step(
          f,
          List.of(
              new Seen("ann", at(200 + f, 100, 120), 0.7f),
              new Seen("dog", at(700, 300, 60), 0.7f)));
    }
    assertThat(new HashSet<>(tracksOf.get("ann"))).hasSize(1);
    assertThat(tracksOf.get("ann")).hasSize(16);
    assertThat(tracker.tracksStarted()).isEqualTo(1);
  }

  @Test
  void facesBlurredByTheirOwnMotionCountLessAndDecideNothing() {
    // Ann stands still for 15 frames, then runs off at a third of her width a frame, beside Bob
    // who only runs; detected on every frame while they run, as the watcher does. A face's
    // quality alone does not show motion blur: here it even rates her running faces a little
    // higher.
    for (int f = 0; f <= 40; f += f < 15 ? EVERY : 1) {
      List<Seen> seen = new ArrayList<>();
      seen.add(
          new Seen("ann", at(100 + 40 * Math.max(0, f - 15), 100, 120), f <= 15 ? 0.95f : 0.97f));
      if (f >= 15) {
        seen.add(new Seen("bob", at(100 + 40 * (f - 15), 400, 120)));
      }
      step(f, seen);
    }
    Track ann = trackOf("ann");
    assertThat(ann.evidence.subList(0, 3))
        .as("Ann's best faces: the ones where she stood")
        .allMatch(e -> e.frame() < 15);
    assertThat(ann.stillEnough(0.865f)).isTrue();
    assertThat(trackOf("bob").stillEnough(0.865f)).as("Bob was never still").isFalse();
    assertThat(new HashSet<>(tracksOf.get("ann"))).hasSize(1);
    assertThat(new HashSet<>(tracksOf.get("bob"))).hasSize(1);
  }

  private Track trackOf(String person) {
    int id = tracksOf.get(person).get(tracksOf.get(person).size() - 1);
    return tracker.tracks().stream().filter(t -> t.id == id).findFirst().orElseThrow();
  }

  @Test
  void aLoneFaceFollowedSteadilyIsRarelyEmbedded() {
    for (int f = 0; f < 250; f += EVERY) {
      // The detector's score wavers on a face that does not change.
      float score = 0.9f + 0.09f * random.nextFloat();
      step(f, List.of(new Seen("ann", at(100 + f, 100, 120), score)));
    }
    // 50 detections: the first five for the template, then a check every 25 frames (9).
    assertThat(embedded).isLessThanOrEqualTo(15);
    assertThat(new HashSet<>(tracksOf.get("ann"))).hasSize(1);
  }
}
