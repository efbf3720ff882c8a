package dev.semblance.video;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Box;
import dev.semblance.Candidate;
import dev.semblance.Detection;
import dev.semblance.Face;
import dev.semblance.RgbFrame;
import dev.semblance.testing.Pictures;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
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
 * What the embedder alone makes of the crossing/occlusion/cut set's faces, motion blur above all:
 * how far any tracker can name the set's people (behind a flag; docs/video.md):
 *
 * <pre>
 * mvn -B -pl video test -Dtest=BlurredFacesBenchmark -Dsemblance.blurredFaces=stills
 * mvn -B -pl video test -Dtest=BlurredFacesBenchmark -Dsemblance.blurredFaces=ceiling
 * mvn -B -pl video test -Dtest=BlurredFacesBenchmark -Dsemblance.blurredFaces=probe \
 *     -Dsemblance.blurredFaces.clip=1 -Dsemblance.blurredFaces.who=Andrei_Mikhnevich
 * </pre>
 *
 * {@code -Dsemblance.blurredFaces.deblur=20} undoes the blur first (Richardson-Lucy, 20 iterations)
 * with the kernel the set drew it with, or {@code .deblurLength} pixels: what deblurring could give
 * at best, and what a wrong kernel costs.
 */
class BlurredFacesBenchmark {
  private static final Logger log = LoggerFactory.getLogger(BlurredFacesBenchmark.class);
  private static final int DEBLUR = Integer.getInteger("semblance.blurredFaces.deblur", 0);
  private static final Integer DEBLUR_LENGTH =
      Integer.getInteger("semblance.blurredFaces.deblurLength");

  @Test
  void run() throws IOException {
    String mode = System.getProperty("semblance.blurredFaces", "");
    assumeTrue(!mode.isEmpty(), "runs with -Dsemblance.blurredFaces=stills|ceiling|probe");
    try (HardVideoSet set = new HardVideoSet(250, 125)) {
      switch (mode) {
        case "stills" -> stills(set);
        case "ceiling" -> {
          ceiling(set, false, 0);
          ceiling(set, true, 0);
          ceiling(set, true, 8);
        }
        case "probe" -> probe(set);
        default -> throw new IllegalArgumentException("no such mode: " + mode);
      }
    }
  }

  /**
   * Every training actor's portrait drawn alone, at the sizes and blur lengths of the set's shots,
   * identified as a still: named right, unknown or wrong, and the similarity to the enrolled photo.
   */
  private static void stills(HardVideoSet set) {
    List<HardVideos.Person> actors = set.actors(false);
    for (int size : new int[] {240, 210, 170}) {
      for (int blur : new int[] {0, 4, 8, 12, 15}) {
        int enrolled = 0;
        int right = 0;
        int wrong = 0;
        int strangersNamed = 0;
        List<Float> toTrue = new ArrayList<>();
        for (HardVideos.Person p : actors) {
          Still still = still(set, p, size, blur);
          if (!p.enrolled()) {
            strangersNamed += still.said.isPresent() ? 1 : 0;
            continue;
          }
          enrolled++;
          toTrue.add(still.toTrue);
          if (still.said.isPresent()) {
            right += still.said.get().equals(p.name()) ? 1 : 0;
            wrong += still.said.get().equals(p.name()) ? 0 : 1;
          }
        }
        toTrue.sort(Float::compare);
        log.info(
            String.format(
                Locale.ROOT,
                "portrait %d px, blur %2d px: %d enrolled, named right %d (%.1f%%), wrong %d;"
                    + " strangers named %d of %d; similarity to the enrolled photo: median %.3f,"
                    + " 10th percentile %.3f (threshold %.3f)",
                size,
                blur,
                enrolled,
                right,
                100.0 * right / enrolled,
                wrong,
                strangersNamed,
                actors.size() - enrolled,
                toTrue.get(toTrue.size() / 2),
                toTrue.get(toTrue.size() / 10),
                set.gallery.threshold()));
      }
    }
  }

  /**
   * Every enrolled appearance of eight clips, identified as a still on the sharpest face the set
   * draws of it (least motion blur, then most visible, then largest), with no one in front: an
   * optimistic bound on what a tracker deciding on the set's faces can name with this embedder.
   */
  private static void ceiling(HardVideoSet set, boolean test, int from) {
    int appearances = 0;
    int right = 0;
    int blurred = 0;
    int blurredRight = 0;
    for (HardVideos.Clip clip : set.clips(test, from, 8)) {
      for (HardVideos.Shot shot : clip.shots()) {
        for (HardVideos.Actor a : shot.actors()) {
          if (!a.person().enrolled()) {
            continue;
          }
          Sharpest best = sharpest(a, shot);
          if (best == null) {
            continue; // never seen: not an appearance
          }
          Still still = still(set, a.person(), Math.round(best.size), best.blur);
          boolean named = still.said.equals(Optional.of(a.person().name()));
          appearances++;
          right += named ? 1 : 0;
          if (best.blur > 0 || !named) {
            log.info(
                "  {}: {}, sharpest face blurred {} px, portrait {} px: {} ({})",
                clip.name(),
                a.person().name(),
                best.blur,
                Math.round(best.size),
                still.said.orElse("unknown"),
                String.format(Locale.ROOT, "%.3f", still.toTrue));
          }
          if (best.blur > 0) {
            blurred++;
            blurredRight += named ? 1 : 0;
          }
        }
      }
    }
    log.info(
        String.format(
            Locale.ROOT,
            "ceiling, %s clips %d-%d: %d of %d enrolled appearances named right on their sharpest"
                + " face (%.1f%%); %d appearances blurred in every frame, %d of them named right",
            test ? "test" : "train",
            from,
            from + 7,
            right,
            appearances,
            100.0 * right / appearances,
            blurred,
            blurredRight));
  }

  private record Sharpest(int blur, double seen, float size) {
    boolean beats(Sharpest o) {
      return o == null
          || blur < o.blur
          || (blur == o.blur && (seen > o.seen || (seen == o.seen && size > o.size)));
    }
  }

  /** The frame of the shot where the actor's face is least blurred, among those it is seen in. */
  private static Sharpest sharpest(HardVideos.Actor a, HardVideos.Shot shot) {
    Sharpest best = null;
    for (int f = 0; f < HardVideos.SHOT; f++) {
      Box face = a.faceAt(f);
      double seen = face == null ? 0 : HardVideos.Clip.visible(face, a, shot, f);
      if (seen < 0.5) {
        continue;
      }
      Sharpest here = new Sharpest(blurLength(a, f), seen, a.portraitAt(f).width());
      if (here.beats(best)) {
        best = here;
      }
    }
    return best;
  }

  /**
   * The blur the motion at frame {@code f} makes, as the set draws it; from either side, since the
   * set draws a mover sharp in the first frame of its path, which no camera would.
   */
  private static int blurLength(HardVideos.Actor a, int f) {
    double speed = Math.max(a.speed(f), a.portraitAt(f + 1) == null ? 0 : a.speed(f + 1));
    return a.blurred() && speed > 4 ? (int) Math.min(15, Math.round(speed)) : 0;
  }

  /**
   * One actor's faces frame by frame in the shot of a training clip, as decoded from the video:
   * similarity to the enrolled photo and the gallery's best candidate, as they are and deblurred
   * with kernels of several lengths.
   */
  private static void probe(HardVideoSet set) throws IOException {
    HardVideos.Clip clip =
        set.clips(false, Integer.getInteger("semblance.blurredFaces.clip", 0), 1).get(0);
    String who = System.getProperty("semblance.blurredFaces.who", "Alan_Ball");
    Path video = HardVideoSet.videoDir().resolve(HardVideoSet.file(clip));
    if (!Files.exists(video)) {
      Files.createDirectories(video.getParent());
      HardVideos.render(clip, video);
    }
    try (VideoSource source = VideoSource.open(video.toString())) {
      for (Optional<VideoFrame> f = source.next(); f.isPresent(); f = source.next()) {
        RgbFrame image = f.get().image();
        for (HardVideos.Truth t : clip.truth((int) f.get().index())) {
          if (!t.name().equals(who)) {
            continue;
          }
          for (Detection d : set.encoder.detect(image)) {
            if (d.box().iou(t.face()) < 0.5) {
              continue;
            }
            StringBuilder line =
                new StringBuilder(
                    String.format(
                        Locale.ROOT, "frame %d, face %.0f px:", f.get().index(), d.box().width()));
            for (int length : new int[] {0, 10, 13, 15, 17, 20}) {
              Optional<Face> face = around(set, image, d.box(), length);
              if (face.isEmpty()) {
                line.append(" L").append(length).append(" no face;");
                continue;
              }
              Candidate top = set.gallery.identify(face.get().embedding(), 1).candidates().get(0);
              line.append(
                  String.format(
                      Locale.ROOT,
                      " L%d %.3f (best %s %.3f);",
                      length,
                      set.gallery.similarityTo(who, face.get().embedding()),
                      top.identity(),
                      top.similarity()));
            }
            log.info(line.toString());
          }
        }
      }
    }
  }

  /** The face in the region around {@code box}, deblurred along rows over {@code length} pixels. */
  private static Optional<Face> around(HardVideoSet set, RgbFrame frame, Box box, int length) {
    int margin = Math.round(0.5f * box.width()) + length;
    int x0 = Math.max(0, Math.round(box.left()) - margin);
    int y0 = Math.max(0, Math.round(box.top()) - margin);
    int x1 = Math.min(frame.width(), Math.round(box.right()) + margin);
    int y1 = Math.min(frame.height(), Math.round(box.bottom()) + margin);
    BufferedImage region = new BufferedImage(x1 - x0, y1 - y0, BufferedImage.TYPE_INT_RGB);
    byte[] rgb = frame.rgb();
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        int at = 3 * (y * frame.width() + x);
        region.setRGB(
            x - x0, y - y0, (rgb[at] & 255) << 16 | (rgb[at + 1] & 255) << 8 | (rgb[at + 2] & 255));
      }
    }
    if (length > 1) {
      region = deblur(region, length);
    }
    return set.encoder.encode(region).stream()
        .max((a, b) -> Float.compare(a.box().width(), b.box().width()));
  }

  /** What the gallery said of a still, and its similarity to the person's enrolled photo. */
  private record Still(Optional<String> said, float toTrue) {}

  /** One person's portrait scaled, blurred (and deblurred, if asked) and drawn alone. */
  private static Still still(HardVideoSet set, HardVideos.Person p, int size, int blur) {
    BufferedImage frame =
        new BufferedImage(HardVideos.WIDTH, HardVideos.HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = frame.createGraphics();
    HardVideos.background(g, 0, 0);
    BufferedImage img = Pictures.scaled(p.portrait(), size / (double) p.portrait().getWidth());
    if (blur > 1) {
      img = HardVideos.blur(img, blur);
    }
    int undo = DEBLUR_LENGTH != null ? DEBLUR_LENGTH : blur;
    if (DEBLUR > 0 && undo > 1) {
      img = deblur(img, undo);
    }
    g.drawImage(img, 540, 200, null);
    g.dispose();
    Optional<Face> main =
        set.encoder.encode(SyntheticVideo.rgbOf(frame)).stream()
            .max((a, b) -> Float.compare(a.box().width(), b.box().width()));
    if (main.isEmpty()) {
      return new Still(Optional.empty(), Float.NaN);
    }
    Optional<String> said =
        set.gallery.identify(main.get().embedding(), 1).match().map(Candidate::identity);
    float toTrue =
        p.enrolled() ? set.gallery.similarityTo(p.name(), main.get().embedding()) : Float.NaN;
    return new Still(said, toTrue);
  }

  /** Richardson-Lucy deconvolution of a horizontal box blur of {@code length} pixels. */
  private static BufferedImage deblur(BufferedImage src, int length) {
    int iterations = DEBLUR > 0 ? DEBLUR : 20;
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    double[] blurred = new double[w];
    double[] estimate = new double[w];
    double[] ratio = new double[w];
    for (int y = 0; y < h; y++) {
      int[] rgb = new int[w];
      int[] in = src.getRGB(0, y, w, 1, null, 0, w);
      for (int shift = 0; shift <= 16; shift += 8) {
        for (int x = 0; x < w; x++) {
          blurred[x] = ((in[x] >> shift) & 255) + 1; // kept positive
          estimate[x] = blurred[x];
        }
        for (int t = 0; t < iterations; t++) {
          double[] again = box(estimate, length);
          for (int x = 0; x < w; x++) {
            ratio[x] = blurred[x] / again[x];
          }
          double[] back = box(ratio, length);
          for (int x = 0; x < w; x++) {
            estimate[x] *= back[x];
          }
        }
        for (int x = 0; x < w; x++) {
          rgb[x] |= (int) Math.max(0, Math.min(255, Math.round(estimate[x] - 1))) << shift;
        }
      }
      out.setRGB(0, y, w, 1, rgb, 0, w);
    }
    return out;
  }

  /** The mean of {@code length} values around each, as {@link HardVideos#blur} takes it. */
  private static double[] box(double[] v, int length) {
    double[] out = new double[v.length];
    int origin = (length - 1) / 2;
    for (int i = 0; i < v.length; i++) {
      double sum = 0;
      for (int k = 0; k < length; k++) {
        sum += v[Math.max(0, Math.min(v.length - 1, i - origin + k))];
      }
      out[i] = sum / length;
    }
    return out;
  }
}
