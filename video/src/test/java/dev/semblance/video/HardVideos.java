package dev.semblance.video;

import dev.semblance.Box;
import dev.semblance.testing.Pictures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/**
 * The crossing/occlusion/cut set: 1280×720 clips of three shots cut hard into each other, made from
 * photos of people (LFW) walking across textured backgrounds. In every shot someone is in trouble:
 * two people cross, one walks in front of others, a crowd of up to twelve with one coming closer,
 * one leaves the frame and comes back; the first person of each shot stands where a person of the
 * shot before stood; fast walkers are motion-blurred and some photos are JPEG-noisy. Where every
 * face is, whose it is and how much of it is hidden is known for every frame.
 */
final class HardVideos {
  static final int WIDTH = 1280;
  static final int HEIGHT = 720;
  static final int FPS = 25;
  static final int SHOT = 100;

  /**
   * A person's photo cropped around the face.
   *
   * @param face where the face is in {@code portrait}, as the detector found it in the photo
   */
  record Person(String name, BufferedImage portrait, Box face, boolean enrolled) {
    @Override
    public String toString() {
      return name + (enrolled ? "" : " (stranger)") + " " + face;
    }
  }

  /** Where a portrait's top-left corner is, and its side, at a frame of the shot. */
  record Key(int frame, double x, double y, double size) {}

  /** One person in one shot, along a path of keys; drawn over those with a lower {@code z}. */
  record Actor(Person person, List<Key> path, int z, boolean blurred) {
    /** The portrait's square in shot frame {@code f}, or null when not on screen. */
    Box portraitAt(int f) {
      for (int k = 0; k + 1 < path.size(); k++) {
        Key a = path.get(k);
        Key b = path.get(k + 1);
        if (f >= a.frame() && f <= b.frame()) {
          if (Double.isNaN(a.x()) || Double.isNaN(b.x())) {
            return null; // away
          }
          double t =
              b.frame() == a.frame() ? 0 : (f - a.frame()) / (double) (b.frame() - a.frame());
          double x = a.x() + t * (b.x() - a.x());
          double y = a.y() + t * (b.y() - a.y());
          double s = a.size() + t * (b.size() - a.size());
          return new Box((float) x, (float) y, (float) (x + s), (float) (y + s));
        }
      }
      return null;
    }

    Box faceAt(int f) {
      Box p = portraitAt(f);
      if (p == null) {
        return null;
      }
      float scale = p.width() / person.portrait().getWidth();
      Box face = person.face();
      return new Box(
          p.left() + face.left() * scale,
          p.top() + face.top() * scale,
          p.left() + face.right() * scale,
          p.top() + face.bottom() * scale);
    }

    /** Pixels per frame the portrait moves at shot frame {@code f}. */
    double speed(int f) {
      Box a = portraitAt(Math.max(0, f - 1));
      Box b = portraitAt(f);
      return a == null || b == null ? 0 : Math.hypot(b.left() - a.left(), b.top() - a.top());
    }
  }

  record Shot(int background, List<Actor> actors) {}

  /** A face in a frame of the clip, as the truth has it. */
  record Truth(String name, boolean enrolled, Box face, int shot) {}

  record Clip(String name, List<Shot> shots) {
    int frames() {
      return shots.size() * SHOT;
    }

    /** The frames that begin a new shot. */
    List<Integer> cuts() {
      List<Integer> cuts = new ArrayList<>();
      for (int s = 1; s < shots.size(); s++) {
        cuts.add(s * SHOT);
      }
      return cuts;
    }

    /**
     * The faces in frame {@code i} that can be seen: at least half of the face in the frame and not
     * hidden behind portraits drawn over it.
     */
    List<Truth> truth(int i) {
      int s = i / SHOT;
      int f = i % SHOT;
      Shot shot = shots.get(s);
      List<Truth> out = new ArrayList<>();
      for (Actor a : shot.actors()) {
        Box face = a.faceAt(f);
        if (face == null || visible(face, a, shot, f) < 0.5) {
          continue;
        }
        out.add(new Truth(a.person().name(), a.person().enrolled(), face, s));
      }
      return out;
    }

    static double visible(Box face, Actor actor, Shot shot, int f) {
      // Sampled on a grid: the share of the face inside the frame and under no nearer portrait.
      int seen = 0;
      int all = 0;
      for (int gy = 0; gy < 10; gy++) {
        for (int gx = 0; gx < 10; gx++) {
          float x = face.left() + (gx + 0.5f) * face.width() / 10;
          float y = face.top() + (gy + 0.5f) * face.height() / 10;
          all++;
          if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) {
            continue;
          }
          boolean hidden = false;
          for (Actor o : shot.actors()) {
            Box p = o.z() > actor.z() ? o.portraitAt(f) : null;
            if (p != null && x >= p.left() && x < p.right() && y >= p.top() && y < p.bottom()) {
              hidden = true;
              break;
            }
          }
          seen += hidden ? 0 : 1;
        }
      }
      return seen / (double) all;
    }
  }

  private HardVideos() {}

  /**
   * A clip of three shots of the given people (enrolled and strangers mixed), the kind of trouble
   * in each shot drawn from {@code seed}.
   */
  static Clip make(String name, long seed, List<Person> people) {
    Random random = new Random(seed);
    List<Person> cast = new ArrayList<>(people);
    Collections.shuffle(cast, random);
    List<Shot> shots = new ArrayList<>();
    int next = 0;
    List<Integer> kinds = new ArrayList<>(List.of(0, 1, 2, 3));
    Collections.shuffle(kinds, random);
    Key last = null;
    for (int s = 0; s < 3; s++) {
      List<Actor> actors = new ArrayList<>();
      switch (kinds.get(s)) {
        case 0 -> { // two pairs cross, one of each pair in front
          actors.add(walk(cast.get(next++), 60, 140, 1020, 120, 200, 1, random));
          actors.add(walk(cast.get(next++), 1020, 120, 60, 150, 200, 2, random));
          actors.add(walk(cast.get(next++), 200, 430, 880, 440, 170, 3, random));
          actors.add(walk(cast.get(next++), 880, 450, 200, 430, 230, 4, random));
        }
        case 1 -> { // one walks in front of two who stand still
          actors.add(stand(cast.get(next++), 330, 240, 200));
          actors.add(stand(cast.get(next++), 720, 250, 200));
          actors.add(walk(cast.get(next++), -60, 220, 1140, 230, 240, 9, random));
        }
        case 2 -> { // a crowd, one coming closer
          int n = 6 + random.nextInt(7);
          for (int k = 0; k < n; k++) {
            double x = 30 + (k % 6) * 205 + random.nextInt(20);
            double y = 20 + (k / 6) * 330 + random.nextInt(30);
            Person p = cast.get(next++);
            if (k == 0) {
              actors.add(
                  new Actor(
                      p,
                      List.of(new Key(0, x, y, 140), new Key(SHOT - 1, x - 30, y, 230)),
                      20,
                      false));
            } else {
              actors.add(
                  new Actor(
                      p,
                      List.of(
                          new Key(0, x, y, 170),
                          new Key(SHOT - 1, x + random.nextInt(30) - 15, y, 170)),
                      k,
                      false));
            }
          }
        }
        default -> { // one leaves the frame and comes back, beside two who stay
          Person p = cast.get(next++);
          actors.add(
              new Actor(
                  p,
                  List.of(
                      new Key(0, 560, 220, 210),
                      new Key(30, 1300, 220, 210),
                      new Key(31, Double.NaN, 0, 0),
                      new Key(64, Double.NaN, 0, 0),
                      new Key(65, 1300, 260, 210),
                      new Key(SHOT - 1, 760, 260, 210)),
                  5,
                  true));
          actors.add(stand(cast.get(next++), 80, 200, 190));
          actors.add(stand(cast.get(next++), 320, 380, 180));
        }
      }
      if (last != null) {
        // Someone else stands where someone stood in the last frame of the shot before.
        Actor first = actors.get(0);
        List<Key> path = new ArrayList<>(first.path());
        path.set(0, new Key(0, last.x(), last.y(), last.size()));
        actors.set(0, new Actor(first.person(), path, first.z(), first.blurred()));
      }
      Actor stays = actors.get(actors.size() - 1);
      Box end = stays.portraitAt(SHOT - 1);
      last = new Key(0, end.left(), end.top(), end.width());
      shots.add(new Shot(s + (int) (seed % 7), actors));
    }
    return new Clip(name, shots);
  }

  private static Actor stand(Person p, double x, double y, double size) {
    return new Actor(p, List.of(new Key(0, x, y, size), new Key(SHOT - 1, x, y, size)), 0, false);
  }

  private static Actor walk(
      Person p, double x0, double y0, double x1, double y1, double size, int z, Random random) {
    int start = random.nextInt(10);
    return new Actor(
        p,
        List.of(
            new Key(0, x0, y0, size),
            new Key(start, x0, y0, size),
            new Key(SHOT - 1, x1, y1, size)),
        z,
        true);
  }

  /** Renders {@code clip} into an H.264 video. */
  static void render(Clip clip, Path out) {
    BufferedImage frame = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
    try (VideoWriter writer = VideoWriter.open(out, WIDTH, HEIGHT, FPS)) {
      for (int i = 0; i < clip.frames(); i++) {
        Shot shot = clip.shots().get(i / SHOT);
        int f = i % SHOT;
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        background(g, shot.background(), f);
        List<Actor> byZ = new ArrayList<>(shot.actors());
        byZ.sort((a, b) -> Integer.compare(a.z(), b.z()));
        for (Actor a : byZ) {
          Box p = a.portraitAt(f);
          if (p == null) {
            continue;
          }
          int size = Math.round(p.width());
          BufferedImage img =
              Pictures.scaled(
                  a.person().portrait(), size / (double) a.person().portrait().getWidth());
          double speed = a.speed(f);
          if (a.blurred() && speed > 4) {
            img = blur(img, (int) Math.min(15, Math.round(speed)));
          }
          g.drawImage(img, Math.round(p.left()), Math.round(p.top()), null);
        }
        g.dispose();
        writer.write(SyntheticVideo.rgbOf(frame));
      }
    }
  }

  /** Each shot its own camera: a background colour and stripes of its own, drifting slowly. */
  static void background(Graphics2D g, int kind, int frame) {
    Color[] base = {
      new Color(96, 104, 112),
      new Color(150, 120, 90),
      new Color(60, 90, 70),
      new Color(170, 170, 180),
      new Color(110, 70, 90),
      new Color(40, 50, 80),
      new Color(130, 140, 100)
    };
    Color c = base[Math.floorMod(kind, base.length)];
    g.setColor(c);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    int spacing = 60 + 20 * Math.floorMod(kind, 4);
    g.setColor(c.brighter());
    if (kind % 2 == 0) {
      for (int x = -spacing + (frame % spacing); x < WIDTH; x += spacing) {
        g.fillRect(x, 0, spacing / 3, HEIGHT);
      }
    } else {
      for (int y = -spacing + (frame % spacing); y < HEIGHT; y += spacing) {
        g.fillRect(0, y, WIDTH, spacing / 3);
      }
    }
  }

  /** Horizontal motion blur over {@code length} pixels. */
  static BufferedImage blur(BufferedImage src, int length) {
    float[] k = new float[length];
    java.util.Arrays.fill(k, 1f / length);
    return new ConvolveOp(new Kernel(length, 1, k), ConvolveOp.EDGE_NO_OP, null).filter(src, null);
  }

  /** The photo with JPEG noise of the given quality (0–1). */
  static BufferedImage jpegNoise(BufferedImage src, float quality) {
    try {
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (var out = ImageIO.createImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        writer.write(null, new IIOImage(src, null, null), param);
      } finally {
        writer.dispose();
      }
      return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
