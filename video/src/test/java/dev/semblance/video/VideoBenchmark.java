package dev.semblance.video;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Box;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The figures of docs/video.md, behind a flag (minutes of work):
 *
 * <pre>
 * mvn -B -pl video test -Dtest=VideoBenchmark -Dsemblance.videoBench=true
 * </pre>
 *
 * Videos of 1, 3 and 6 moving portraits at 720p and 1080p, 10 s at 25 fps, made with FFmpeg; six of
 * the eight tv-characters enrolled from their first image, two strangers. For each: the decoder's
 * own speed; the watcher detecting every frame and every 5th (speed, share of time, MOTA-style
 * counts against the known positions, tracks named correctly); and the baseline that identifies
 * every face of every frame on its own.
 */
class VideoBenchmark {
  private static final List<String> ENROLLED =
      List.of("amy", "bernadette", "howard", "leonard", "penny", "raj");
  private static final List<String> ORDER =
      List.of("amy", "sheldon", "penny", "howard", "stuart", "raj");
  private static final int FRAMES = 250;

  @Test
  void figures() throws Exception {
    assumeTrue(Boolean.getBoolean("semblance.videoBench"), "skipped: -Dsemblance.videoBench=true");
    Path tv = TestData.dir("tv-characters");
    String keep = System.getProperty("semblance.videoBench.keep");
    Path dir =
        keep != null
            ? Files.createDirectories(Path.of(keep))
            : Files.createTempDirectory("semblance-video-bench");
    String only = System.getProperty("semblance.videoBench.only", "");
    System.out.printf(
        Locale.ROOT,
        "# %d cores, JDK %s; 10 s videos at 25 fps; times in ms of wall clock%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version());
    System.out.println(
        "video | decoder fps | every | fps | decode/detect/embed/search % | faces embedded"
            + " | tracks | ID switches | fragmentations | misses | false positives | MOTA | IDF1 | HOTA"
            + " | tracks named right");
    try (Encoder encoder = Encoder.builder().quality(true).build();
        Gallery gallery = Gallery.create(encoder)) {
      for (String person : ENROLLED) {
        gallery.enroll(
            person,
            encoder.encodeMainFace(tv.resolve(person + "/" + person + "1.png")).embedding());
      }
      if (keep != null) {
        gallery.save(dir.resolve("cast.gallery"));
      }
      for (int[] size : new int[][] {{1280, 720}, {1920, 1080}}) {
        for (int faces : new int[] {1, 3, 6}) {
          if (!only.isEmpty() && !only.equals(size[1] + "p-" + faces)) {
            continue;
          }
          List<SyntheticVideo.Actor> cast = cast(tv, size[0], size[1], faces);
          Path video = dir.resolve(size[1] + "p-" + faces + ".mp4");
          SyntheticVideo.write(video, size[0], size[1], 25, FRAMES, cast);
          String name = size[1] + "p, " + faces + (faces == 1 ? " face" : " faces");
          double decoderFps = decoderFps(video);
          for (int every : only.isEmpty() ? new int[] {1, 5} : new int[] {5}) {
            report(
                name, decoderFps, every, encoder, gallery, video, cast, faceBoxes(encoder, cast));
          }
          if (only.isEmpty()) {
            baseline(name, encoder, gallery, video, cast);
          }
        }
      }
    }
  }

  /** Portraits on a 3 × 2 grid, drifting; the fifth arrives at 2 s, the sixth leaves at 8 s. */
  static List<SyntheticVideo.Actor> cast(Path tv, int width, int height, int faces) {
    return cast(tv, width, height, faces, FRAMES);
  }

  /** The same cast over a video of {@code frames} frames, moving as far, more slowly. */
  static List<SyntheticVideo.Actor> cast(Path tv, int width, int height, int faces, int frames) {
    int size = height / 4;
    List<SyntheticVideo.Actor> cast = new ArrayList<>();
    for (int i = 0; i < faces; i++) {
      String who = ORDER.get(i);
      double cx = (i % 3 + 0.5) * width / 3.0 - size / 2.0; // column i % 3, row i / 3
      int row = i / 3;
      double cy = (row + 0.5) * height / 2.0 - size / 2.0;
      double dx = (i % 2 == 0 ? 1 : -1) * width / 12.0;
      double dy = (i % 3 == 0 ? 1 : -1) * height / 20.0;
      int first = i == 4 ? 50 : 0;
      int last = i == 5 ? 200 : frames - 1;
      cast.add(
          new SyntheticVideo.Actor(
              who,
              SyntheticVideo.read(tv.resolve(who + "/" + who + (2 + i % 4) + ".png")),
              size,
              new double[] {cx - dx, cy - dy},
              new double[] {cx + dx, cy + dy},
              first,
              last));
    }
    return cast;
  }

  private static double decoderFps(Path video) {
    long t0 = System.nanoTime();
    int frames = 0;
    try (VideoSource source = VideoSource.open(video.toString())) {
      while (source.next().isPresent()) {
        frames++;
      }
    }
    return frames / ((System.nanoTime() - t0) / 1e9);
  }

  /** Where the detector finds the face in each actor's portrait, as a share of its side. */
  private static Map<String, Box> faceBoxes(Encoder encoder, List<SyntheticVideo.Actor> cast) {
    Map<String, Box> boxes = new HashMap<>();
    for (SyntheticVideo.Actor a : cast) {
      Face face = encoder.encode(a.portrait()).get(0);
      float w = a.portrait().getWidth();
      Box b = face.box();
      boxes.put(a.name(), new Box(b.left() / w, b.top() / w, b.right() / w, b.bottom() / w));
    }
    return boxes;
  }

  private static void report(
      String name,
      double decoderFps,
      int every,
      Encoder encoder,
      Gallery gallery,
      Path video,
      List<SyntheticVideo.Actor> cast,
      Map<String, Box> faceShare) {
    MotMetrics mot = new MotMetrics();
    Map<Integer, Optional<String>> decisions = new HashMap<>();
    FaceWatcher watcher =
        FaceWatcher.builder(encoder, gallery)
            .detectEvery(every)
            .onFrame(
                (frame, faces) -> {
                  List<MotMetrics.Item<String>> truth = new ArrayList<>();
                  for (SyntheticVideo.Actor a : cast) {
                    Box at = a.at((int) frame.index());
                    if (at != null) {
                      Box f = faceShare.get(a.name());
                      float side = at.width();
                      truth.add(
                          new MotMetrics.Item<>(
                              a.name(),
                              new Box(
                                  at.left() + f.left() * side,
                                  at.top() + f.top() * side,
                                  at.left() + f.right() * side,
                                  at.top() + f.bottom() * side)));
                    }
                  }
                  mot.frame(
                      truth,
                      faces.stream().map(f -> new MotMetrics.Item<>(f.track(), f.box())).toList());
                })
            .build();
    long t0 = System.nanoTime();
    FaceWatcher.Summary s;
    try (VideoSource source = VideoSource.open(video.toString())) {
      s =
          watcher.watch(
              source,
              e -> {
                if (e instanceof FaceEvent.Left l) {
                  decisions.put(l.track(), l.identity());
                }
              });
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    int namedRight = 0;
    for (Map.Entry<Integer, Optional<String>> d : decisions.entrySet()) {
      String actor = mot.majorityTruth(d.getKey());
      Optional<String> expected =
          actor != null && ENROLLED.contains(actor) ? Optional.of(actor) : Optional.empty();
      namedRight += actor != null && d.getValue().equals(expected) ? 1 : 0;
    }
    double total = s.decodeNanos() + s.detectNanos() + s.embedNanos() + s.searchNanos();
    System.out.printf(
        Locale.ROOT,
        "%s | %.0f | %d | %.1f | %.0f/%.0f/%.0f/%.0f | %d | %d | %d | %d | %d | %d | %.3f | %.3f"
            + " | %.3f | %d of %d%n",
        name,
        decoderFps,
        every,
        s.frames() / seconds,
        100 * s.decodeNanos() / total,
        100 * s.detectNanos() / total,
        100 * s.embedNanos() / total,
        100 * s.searchNanos() / total,
        s.facesEmbedded(),
        decisions.size(),
        mot.switches(),
        mot.fragmentations(),
        mot.misses(),
        mot.falsePositives(),
        mot.mota(),
        mot.idf1(),
        mot.hota(),
        namedRight,
        decisions.size());
  }

  /** Every face of every frame identified on its own: what tracking saves and steadies. */
  private static void baseline(
      String name, Encoder encoder, Gallery gallery, Path video, List<SyntheticVideo.Actor> cast) {
    long t0 = System.nanoTime();
    long faces = 0;
    long right = 0;
    long changes = 0;
    Map<String, Optional<String>> lastAnswer = new HashMap<>();
    int frames = 0;
    try (VideoSource source = VideoSource.open(video.toString())) {
      for (Optional<VideoFrame> f = source.next(); f.isPresent(); f = source.next()) {
        frames++;
        List<Face> found = encoder.encode(f.get().image());
        List<Identification> ids =
            gallery.identifyAll(found.stream().map(Face::embedding).toList(), 1);
        for (int i = 0; i < found.size(); i++) {
          faces++;
          for (SyntheticVideo.Actor a : cast) {
            Box truth = a.at((int) f.get().index());
            if (truth != null && inside(found.get(i).box(), truth)) {
              Optional<String> answer = ids.get(i).match().map(c -> c.identity());
              Optional<String> expected =
                  ENROLLED.contains(a.name()) ? Optional.of(a.name()) : Optional.empty();
              right += answer.equals(expected) ? 1 : 0;
              Optional<String> before = lastAnswer.put(a.name(), answer);
              changes += before != null && !before.equals(answer) ? 1 : 0;
            }
          }
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s | baseline, every face of every frame | %.1f fps | %d faces embedded | %.1f%% named"
            + " right | %d changes of answer%n",
        name,
        frames / seconds,
        faces,
        100.0 * right / Math.max(1, faces),
        changes);
  }

  private static boolean inside(Box face, Box truth) {
    float x = face.center().x();
    float y = face.center().y();
    return x > truth.left() && x < truth.right() && y > truth.top() && y < truth.bottom();
  }
}
