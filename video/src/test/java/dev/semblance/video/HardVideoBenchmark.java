package dev.semblance.video;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Calibration;
import dev.semblance.RgbFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crossing/occlusion/cut set in full (behind a flag; docs/video.md):
 *
 * <pre>
 * mvn -B -pl video test -Dtest=HardVideoBenchmark -Dsemblance.hardVideos=train   # choose
 * mvn -B -pl video test -Dtest=HardVideoBenchmark -Dsemblance.hardVideos=test    # report once
 * </pre>
 *
 * On the training half it prints the shot-change scores of cut and other frames and the figures at
 * several same-person gates; on the test half, the figures at the defaults.
 */
class HardVideoBenchmark {
  private static final Logger log = LoggerFactory.getLogger(HardVideoBenchmark.class);
  private static final int CLIPS = Integer.getInteger("semblance.hardVideos.clips", 8);

  @Test
  void run() throws Exception {
    String half = System.getProperty("semblance.hardVideos", "");
    assumeTrue(!half.isEmpty(), "the hard video set runs with -Dsemblance.hardVideos=train|test");
    Path dir = HardVideoSet.videoDir();
    Files.createDirectories(dir);
    int people = Integer.getInteger("semblance.hardVideos.people", 250);
    try (HardVideoSet set = new HardVideoSet(people, people / 2)) {
      boolean test = half.equals("test");
      List<HardVideos.Clip> clips =
          set.clips(test, Integer.getInteger("semblance.hardVideos.from", 0), CLIPS);
      log.info("actors left out (still not named as it should be): {}", set.leftOut);
      if (!test) {
        cutScores(clips, dir);
        Calibration cal = Calibration.bundled();
        for (double far : farsToTry()) {
          // 1 turns the gate off: any face may join any track its box allows.
          float gate = far >= 1 ? -0.999f : (float) cal.thresholdForFar(far);
          HardVideoSet.Result r = set.evaluate(clips, dir, b -> b.samePerson(gate));
          report(String.format(Locale.ROOT, "train, same-person FAR %.0e (%.3f)", far, gate), r);
        }
      } else {
        report("test, defaults", set.evaluate(clips, dir, b -> b));
      }
    }
  }

  private static double[] farsToTry() {
    String fars = System.getProperty("semblance.hardVideos.fars", "1e-2,1e-3,1e-4");
    return java.util.Arrays.stream(fars.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static void report(String what, HardVideoSet.Result r) {
    log.info("{}: {}", what, r);
    r.notes.forEach(n -> log.info("  {}", n));
  }

  /** The shot-change score of every frame, cut frames apart from the others. */
  private static void cutScores(List<HardVideos.Clip> clips, Path dir) {
    List<Float> atCuts = new ArrayList<>();
    float maxElsewhere = 0;
    for (HardVideos.Clip clip : clips) {
      Path video = dir.resolve(HardVideoSet.file(clip));
      if (!Files.exists(video)) {
        HardVideos.render(clip, video);
      }
      ShotChange shots = new ShotChange(1f);
      try (VideoSource source = VideoSource.open(video.toString())) {
        while (true) {
          Optional<VideoFrame> f = source.next();
          if (f.isEmpty()) {
            break;
          }
          RgbFrame image = f.get().image();
          float score = shots.score(image);
          if (clip.cuts().contains((int) f.get().index())) {
            atCuts.add(score);
          } else {
            maxElsewhere = Math.max(maxElsewhere, score);
          }
        }
      }
    }
    log.info(
        "shot-change scores: at the {} cuts {} (lowest {}); elsewhere at most {}",
        atCuts.size(),
        atCuts,
        atCuts.stream().min(Float::compare).orElse(Float.NaN),
        maxElsewhere);
  }
}
