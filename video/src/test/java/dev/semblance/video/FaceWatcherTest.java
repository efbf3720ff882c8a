package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Box;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracking and one decision per person on a video made with FFmpeg from tv-characters portraits
 * moving along known paths: three enrolled people and one stranger.
 */
class FaceWatcherTest {
  private static final Logger log = LoggerFactory.getLogger(FaceWatcherTest.class);
  private static Encoder encoder;
  private static Gallery gallery;
  @TempDir static Path dir;

  @BeforeAll
  static void open() {
    Path tv = TestData.dir("tv-characters");
    encoder = Encoder.builder().quality(true).build();
    gallery = Gallery.create(encoder);
    for (String person : List.of("amy", "penny", "sheldon", "howard", "raj", "leonard")) {
      gallery.enroll(
          person, encoder.encodeMainFace(tv.resolve(person + "/" + person + "1.png")).embedding());
    }
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      gallery.close();
      encoder.close();
    }
  }

  private static SyntheticVideo.Actor actor(
      String name, double[] from, double[] to, int first, int last) {
    Path portrait = TestData.dir("tv-characters").resolve(name + "/" + name + "2.png");
    return new SyntheticVideo.Actor(
        name, SyntheticVideo.read(portrait), 130, from, to, first, last);
  }

  @Test
  void eachPersonIsOneTrackWithOneCorrectDecision() throws Exception {
    List<SyntheticVideo.Actor> cast =
        List.of(
            actor("amy", new double[] {10, 10}, new double[] {230, 30}, 0, 124),
            actor("penny", new double[] {490, 210}, new double[] {330, 200}, 10, 110),
            actor("sheldon", new double[] {480, 10}, new double[] {500, 25}, 30, 124),
            actor("stuart", new double[] {60, 210}, new double[] {160, 215}, 0, 60));
    Path video = dir.resolve("cast.mp4");
    SyntheticVideo.write(video, 640, 360, 25, 125, cast);

    List<FaceEvent> events = new ArrayList<>();
    FaceWatcher.Summary summary;
    try (VideoSource source = VideoSource.open(video.toString())) {
      summary =
          FaceWatcher.builder(encoder, gallery).detectEvery(5).build().watch(source, events::add);
    }
    events.forEach(e -> log.info("{}", e));
    log.info("{}", summary);

    // Each track belongs to the actor whose portrait holds its first box.
    Map<Integer, String> actorOf = new HashMap<>();
    for (FaceEvent e : events) {
      if (e instanceof FaceEvent.Appeared a) {
        actorOf.put(a.track(), whoIsAt(cast, a.box(), (int) a.frame()));
      }
    }
    assertThat(actorOf.values())
        .as("one track per person: no false track, no identity switch")
        .containsExactlyInAnyOrder("amy", "penny", "sheldon", "stuart");
    Map<String, Optional<String>> decided = new HashMap<>();
    for (FaceEvent e : events) {
      if (e instanceof FaceEvent.Left left) {
        decided.put(actorOf.get(left.track()), left.identity());
        SyntheticVideo.Actor who =
            cast.stream()
                .filter(a -> a.name().equals(actorOf.get(left.track())))
                .findFirst()
                .orElseThrow();
        assertThat(left.lastFrame())
            .as("%s leaves", who.name())
            .isBetween((long) who.last() - 10, (long) who.last());
        assertThat(left.firstFrame())
            .as("%s comes", who.name())
            .isBetween((long) who.first(), (long) who.first() + 10);
        assertThat(left.thumbnail()).isNotNull();
      }
    }
    assertThat(decided)
        .containsEntry("amy", Optional.of("amy"))
        .containsEntry("penny", Optional.of("penny"))
        .containsEntry("sheldon", Optional.of("sheldon"))
        .containsEntry("stuart", Optional.empty());
    long identified = events.stream().filter(e -> e instanceof FaceEvent.Identified).count();
    assertThat(identified).as("one decision each, no flicker").isEqualTo(4);
    long faceFrames = 0;
    for (int i = 0; i < 125; i++) {
      for (SyntheticVideo.Actor a : cast) {
        faceFrames += a.at(i) == null ? 0 : 1;
      }
    }
    assertThat(summary.frames()).isEqualTo(125);
    assertThat(summary.facesEmbedded())
        .as("embedded faces, against %s faces in all frames", faceFrames)
        .isLessThan(faceFrames / 5);
  }

  @Test
  void aCameraPansAndZoomsOverAGroupPhotoThenCutsAway() throws Exception {
    // bbt3 holds Sheldon, Howard, Penny, Raj and Leonard, left to right (TvCharactersTest).
    java.awt.image.BufferedImage photo =
        javax.imageio.ImageIO.read(
            TestData.dir("tv-characters/group-photos").resolve("bbt3.jpg").toFile());
    Path video = dir.resolve("pan.mp4");
    SyntheticVideo.writePan(
        video, 640, 360, 30, photo, new Box(0, 20, 594, 354), new Box(60, 30, 540, 300), 90, 120);
    List<FaceEvent> events = new ArrayList<>();
    try (VideoSource source = VideoSource.open(video.toString())) {
      FaceWatcher.builder(encoder, gallery).build().watch(source, events::add);
    }
    events.forEach(e -> log.info("pan: {}", e));
    List<FaceEvent.Appeared> appeared = new ArrayList<>();
    Map<Integer, FaceEvent.Left> left = new HashMap<>();
    for (FaceEvent e : events) {
      if (e instanceof FaceEvent.Appeared a) {
        appeared.add(a);
      } else if (e instanceof FaceEvent.Left l) {
        left.put(l.track(), l);
      }
    }
    appeared.sort((a, b) -> Float.compare(a.box().center().x(), b.box().center().x()));
    List<String> names = new ArrayList<>();
    for (FaceEvent.Appeared a : appeared) {
      names.add(left.get(a.track()).identity().orElse("unknown"));
      assertThat(left.get(a.track()).lastFrame()).as("gone at the cut").isLessThan(90);
    }
    assertThat(names).containsExactly("sheldon", "howard", "penny", "raj", "leonard");
  }

  private static String whoIsAt(List<SyntheticVideo.Actor> cast, Box box, int frame) {
    for (SyntheticVideo.Actor a : cast) {
      Box at = a.at(frame);
      if (at != null
          && box.center().x() > at.left()
          && box.center().x() < at.right()
          && box.center().y() > at.top()
          && box.center().y() < at.bottom()) {
        return a.name();
      }
    }
    return "nobody";
  }
}
