package dev.semblance.video;

import dev.semblance.Box;
import dev.semblance.Calibration;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The crossing/occlusion/cut set ({@link HardVideos}) made from LFW people, split in two halves by
 * person: settings are chosen on the training half and reported once on the test half. People who
 * have two photos are enrolled from one and act with the other; people with one photo are
 * strangers. The gallery holds every enrolled person of both halves, at a target FPIR of 1%.
 *
 * <p>Actors are only those whose portrait, as drawn into the videos (JPEG noise included), holds
 * one face, which the gallery names right (enrolled) or does not name (strangers) as a still: the
 * set measures what the video path adds or loses, not the embedder's one-shot errors on LFW, which
 * {@code docs/accuracy.md} reports. How many were left out is reported beside the figures.
 */
final class HardVideoSet implements AutoCloseable {
  final Encoder encoder;
  final Gallery gallery;
  private final Map<Boolean, List<HardVideos.Person>> actors = new HashMap<>();
  int leftOut;

  /**
   * @param enrolledPerHalf how many people with two photos to enrol from each half
   * @param strangersPerHalf how many people with one photo to take as strangers from each half
   */
  HardVideoSet(int enrolledPerHalf, int strangersPerHalf) {
    Path images = TestData.dir("lfw-dev/images");
    encoder = Encoder.builder().quality(true).build();
    gallery = Gallery.create(encoder);
    List<String> names;
    try (Stream<Path> dirs = Files.list(images)) {
      names = dirs.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<Boolean, List<String>> twoPhotos = new HashMap<>();
    Map<Boolean, List<String>> onePhoto = new HashMap<>();
    Map<String, List<Path>> photosOf = new HashMap<>();
    for (String name : names) {
      boolean test = isTestHalf(name);
      List<Path> files = photos(images.resolve(name));
      photosOf.put(name, files);
      boolean two = files.size() >= 2;
      List<String> list =
          (two ? twoPhotos : onePhoto).computeIfAbsent(test, k -> new ArrayList<>());
      if (list.size() < (two ? enrolledPerHalf : strangersPerHalf)) {
        list.add(name);
      }
    }
    List<Path> enrolPhotos = new ArrayList<>();
    List<String> enrolNames = new ArrayList<>();
    for (List<String> half : twoPhotos.values()) {
      for (String name : half) {
        enrolPhotos.add(photosOf.get(name).get(0));
        enrolNames.add(name);
      }
    }
    List<List<Face>> enrolFaces = encoder.encodeAll(enrolPhotos);
    for (int i = 0; i < enrolNames.size(); i++) {
      List<Face> faces = enrolFaces.get(i);
      if (!faces.isEmpty()) {
        gallery.enroll(
            enrolNames.get(i), faces.get(Encoder.mainFaceIndex(faces, 250, 250)).embedding());
      }
    }
    gallery.setTargetFpir(Calibration.bundled(), 0.01);
    for (boolean test : List.of(false, true)) {
      List<String> cast = new ArrayList<>();
      List<Path> photos = new ArrayList<>();
      for (String name : twoPhotos.getOrDefault(test, List.of())) {
        cast.add(name);
        photos.add(photosOf.get(name).get(1));
      }
      for (String name : onePhoto.getOrDefault(test, List.of())) {
        cast.add(name);
        photos.add(photosOf.get(name).get(0));
      }
      List<List<Face>> found = encoder.encodeAll(photos);
      List<HardVideos.Person> people = new ArrayList<>();
      for (int i = 0; i < cast.size(); i++) {
        List<Face> faces = found.get(i);
        if (faces.isEmpty()) {
          leftOut++;
          continue;
        }
        Face face = faces.get(Encoder.mainFaceIndex(faces, 250, 250));
        boolean enrolled = gallery.contains(cast.get(i));
        HardVideos.Person person = portrait(cast.get(i), photos.get(i), face.box(), enrolled);
        // The portrait as it is drawn (JPEG noise included), identified as a still.
        List<Face> drawn = encoder.encode(person.portrait());
        // One face only: LFW photos often hold someone else behind, whom the truth would not know.
        Optional<String> still =
            drawn.size() != 1
                ? Optional.of(drawn.size() + " faces")
                : gallery.identify(drawn.get(0).embedding(), 1).match().map(c -> c.identity());
        if (!still.equals(enrolled ? Optional.of(cast.get(i)) : Optional.empty())) {
          leftOut++;
          continue;
        }
        people.add(person);
      }
      actors.put(test, people);
    }
  }

  private static List<Path> photos(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The actors of one half. */
  List<HardVideos.Person> actors(boolean test) {
    return actors.get(test);
  }

  /** Half the people, by name, are the test half. */
  static boolean isTestHalf(String name) {
    return (name.hashCode() & 1) == 1;
  }

  /** The photo cropped to a square around the face, 1.9 times its height. */
  private static HardVideos.Person portrait(String name, Path photo, Box face, boolean enrolled) {
    BufferedImage image = SyntheticVideo.read(photo);
    float side = 1.9f * face.height();
    int x0 = Math.max(0, Math.round(face.center().x() - side / 2));
    int y0 = Math.max(0, Math.round(face.center().y() - side / 2));
    int s = Math.min(Math.round(side), Math.min(image.getWidth() - x0, image.getHeight() - y0));
    BufferedImage crop = image.getSubimage(x0, y0, s, s);
    // A third of the photos noisy, as a cheap camera's JPEG would make them.
    if (Math.floorMod(name.hashCode() / 2, 3) == 0) {
      crop = HardVideos.jpegNoise(crop, 0.15f);
    }
    Box inCrop = new Box(face.left() - x0, face.top() - y0, face.right() - x0, face.bottom() - y0);
    return new HardVideos.Person(name, crop, inCrop, enrolled);
  }

  /** {@code count} clips of one half, each with its own cast (about two in three enrolled). */
  List<HardVideos.Clip> clips(boolean test, int count) {
    return clips(test, 0, count);
  }

  /** Clips {@code from} to {@code from + count - 1} of one half. */
  List<HardVideos.Clip> clips(boolean test, int from, int count) {
    List<HardVideos.Person> people = actors.get(test);
    List<HardVideos.Person> enrolled = people.stream().filter(HardVideos.Person::enrolled).toList();
    List<HardVideos.Person> strangers = people.stream().filter(p -> !p.enrolled()).toList();
    List<HardVideos.Clip> clips = new ArrayList<>();
    for (int c = from; c < from + count; c++) {
      List<HardVideos.Person> cast = new ArrayList<>();
      for (int k = 0; k < 13; k++) {
        cast.add(enrolled.get((c * 13 + k) % enrolled.size()));
      }
      for (int k = 0; k < 7; k++) {
        cast.add(strangers.get((c * 7 + k) % strangers.size()));
      }
      long seed = (test ? 1000L : 0L) + c;
      clips.add(HardVideos.make((test ? "test-" : "train-") + c, seed, cast));
    }
    return clips;
  }

  /** What the watcher did on a set of clips, against the truth. */
  static final class Result {
    final MotMetrics byPerson = new MotMetrics();
    int clips;
    int tracks;
    int wrongNames;
    int spanningCuts;
    int enrolledAppearances;
    int enrolledNamedRight;
    int strangerAppearances;
    int strangersNamed;
    long frames;
    long facesEmbedded;
    long nanos;
    final List<String> notes = new ArrayList<>();

    double idf1() {
      return byPerson.idf1();
    }

    double namedRight() {
      return enrolledNamedRight / (double) enrolledAppearances;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d clips, %d frames, %.1f fps: MOTA %.3f, IDF1 %.3f, HOTA %.3f, %d ID switches,"
              + " %d fragmentations,"
              + " %d misses, %d false positives of %d; %d tracks, %d with a wrong final name,"
              + " %d spanning a cut; enrolled named right in %d of %d appearances, strangers named"
              + " in %d of %d; %d faces embedded",
          clips,
          frames,
          frames / (nanos / 1e9),
          byPerson.mota(),
          byPerson.idf1(),
          byPerson.hota(),
          byPerson.switches(),
          byPerson.fragmentations(),
          byPerson.misses(),
          byPerson.falsePositives(),
          byPerson.truths(),
          tracks,
          wrongNames,
          spanningCuts,
          enrolledNamedRight,
          enrolledAppearances,
          strangersNamed,
          strangerAppearances,
          facesEmbedded);
    }
  }

  /**
   * Renders each clip into {@code dir} (once) and watches it with the watcher {@code configure}
   * makes.
   */
  Result evaluate(
      List<HardVideos.Clip> clips, Path dir, UnaryOperator<FaceWatcher.Builder> configure) {
    Result result = new Result();
    for (HardVideos.Clip clip : clips) {
      Path video = dir.resolve(file(clip));
      if (!Files.exists(video)) {
        HardVideos.render(clip, video);
      }
      evaluate(clip, video, configure, result);
    }
    return result;
  }

  private void evaluate(
      HardVideos.Clip clip,
      Path video,
      UnaryOperator<FaceWatcher.Builder> configure,
      Result result) {
    MotMetrics byTrack = new MotMetrics();
    // For a track whose boxes never overlap a true face by half (a small face, a box that lags):
    // the face its boxes were centred on most often.
    Map<Integer, Map<String, Integer>> centredOn = new HashMap<>();
    // Every appearance (a person in a shot) and whether the person is enrolled, as the frames pass.
    Set<String> seenAppearances = new HashSet<>();
    Map<String, Boolean> enrolledOf = new HashMap<>();
    List<FaceEvent.Left> left = new ArrayList<>();
    FaceWatcher watcher =
        configure
            .apply(
                FaceWatcher.builder(encoder, gallery)
                    .onFrame(
                        (frame, faces) -> {
                          int i = (int) frame.index();
                          List<MotMetrics.Item<String>> names = new ArrayList<>();
                          List<MotMetrics.Item<String>> appearances = new ArrayList<>();
                          for (HardVideos.Truth t : clip.truth(i)) {
                            seenAppearances.add(t.name() + "@" + t.shot());
                            enrolledOf.put(t.name(), t.enrolled());
                            names.add(new MotMetrics.Item<>(t.name(), t.face()));
                            appearances.add(
                                new MotMetrics.Item<>(t.name() + "@" + t.shot(), t.face()));
                          }
                          List<MotMetrics.Item<Integer>> people = new ArrayList<>();
                          List<MotMetrics.Item<Integer>> tracks = new ArrayList<>();
                          for (FaceWatcher.TrackedFace f : faces) {
                            people.add(new MotMetrics.Item<>(f.person(), f.box()));
                            tracks.add(new MotMetrics.Item<>(f.track(), f.box()));
                            for (MotMetrics.Item<String> a : appearances) {
                              if (contains(a.box(), f.box().center())) {
                                centredOn
                                    .computeIfAbsent(f.track(), k -> new HashMap<>())
                                    .merge(a.id(), 1, Integer::sum);
                              }
                            }
                          }
                          // Person numbers restart per clip: keep them apart across clips.
                          result.byPerson.frame(
                              prefix(names, clip.name()), offset(people, result.clips * 100_000));
                          byTrack.frame(appearances, tracks);
                        }))
            .build();
    long t0 = System.nanoTime();
    FaceWatcher.Summary summary;
    try (VideoSource source = VideoSource.open(video.toString())) {
      summary =
          watcher.watch(
              source,
              e -> {
                if (e instanceof FaceEvent.Left l) {
                  left.add(l);
                }
                if (Boolean.getBoolean("semblance.hardVideos.events")) {
                  result.notes.add(
                      clip.name() + ": " + e.toString().replaceAll("thumbnail=.*", ""));
                }
              });
    }
    result.nanos += System.nanoTime() - t0;
    result.notes.add(clip.name() + ": " + summary);
    result.frames += summary.frames();
    result.facesEmbedded += summary.facesEmbedded();
    result.clips++;
    result.tracks += left.size();
    Map<String, Boolean> namedRight = new HashMap<>();
    Set<String> strangersNamed = new HashSet<>();
    for (FaceEvent.Left l : left) {
      for (int cut : clip.cuts()) {
        if (l.firstFrame() < cut && l.lastFrame() >= cut) {
          result.spanningCuts++;
          result.notes.add(clip.name() + ": track " + l.track() + " spans the cut at " + cut);
        }
      }
      String truth = byTrack.majorityTruth(l.track());
      if (truth == null && centredOn.containsKey(l.track())) {
        truth =
            centredOn.get(l.track()).entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
      }
      String name = truth == null ? null : truth.substring(0, truth.indexOf('@'));
      Optional<String> said = l.identity();
      if (Boolean.getBoolean("semblance.hardVideos.events")) {
        result.notes.add(clip.name() + ": track " + l.track() + " followed " + truth);
      }
      if (said.isPresent()) {
        boolean right = name != null && enrolledOf.get(name) && said.get().equals(name);
        if (!right) {
          result.wrongNames++;
          result.notes.add(
              clip.name() + ": track " + l.track() + " named " + said.get() + ", was " + truth);
          if (name != null && !enrolledOf.get(name)) {
            strangersNamed.add(truth);
          }
        } else {
          namedRight.put(truth, true);
        }
      }
    }
    for (String a : seenAppearances) {
      String name = a.substring(0, a.indexOf('@'));
      if (enrolledOf.get(name)) {
        result.enrolledAppearances++;
        if (namedRight.getOrDefault(a, false)) {
          result.enrolledNamedRight++;
        } else {
          result.notes.add(clip.name() + ": " + a + " never named");
        }
      } else {
        result.strangerAppearances++;
        result.strangersNamed += strangersNamed.contains(a) ? 1 : 0;
      }
    }
  }

  private static boolean contains(Box box, dev.semblance.Point p) {
    return p.x() > box.left() && p.x() < box.right() && p.y() > box.top() && p.y() < box.bottom();
  }

  /** Where the benchmarks keep the clips they render, to render each once. */
  static Path videoDir() {
    return Path.of(System.getProperty("semblance.hardVideos.dir", "target/hard-videos"));
  }

  /** A clip's file name, changed by anything that changes what is drawn. */
  static String file(HardVideos.Clip clip) {
    return clip.name() + "-" + Integer.toHexString(clip.shots().toString().hashCode()) + ".mp4";
  }

  private static List<MotMetrics.Item<String>> prefix(
      List<MotMetrics.Item<String>> items, String clip) {
    return items.stream().map(i -> new MotMetrics.Item<>(clip + "/" + i.id(), i.box())).toList();
  }

  private static List<MotMetrics.Item<Integer>> offset(
      List<MotMetrics.Item<Integer>> items, int offset) {
    return items.stream().map(i -> new MotMetrics.Item<>(i.id() + offset, i.box())).toList();
  }

  @Override
  public void close() {
    gallery.close();
    encoder.close();
  }
}
