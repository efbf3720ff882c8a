package dev.semblance.examples;

import dev.semblance.Box;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.RgbFrame;
import dev.semblance.video.FaceEvent;
import dev.semblance.video.FaceWatcher;
import dev.semblance.video.VideoFrame;
import dev.semblance.video.VideoSource;
import dev.semblance.video.VideoWriter;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "watch",
    description = {
      "Follow the faces of a video or stream and say who each person is, once per person:"
          + " appeared, identified (or unknown), left.",
      "  watch VIDEO|URL --gallery FILE [--every 5] [--annotate OUT.mp4] [--json]"
    })
final class WatchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "VIDEO|URL", description = "A video file, a stream URL or /dev/videoN.")
  String source;

  @Mixin GalleryLocation location;

  @Option(
      names = "--every",
      defaultValue = "5",
      paramLabel = "N",
      description =
          "Detect on every Nth frame at most (default ${DEFAULT-VALUE}; more often while faces move fast).")
  int every;

  @Option(
      names = "--annotate",
      paramLabel = "OUT",
      description =
          "Write a copy of the video with boxes, track numbers and names (.mp4, .mkv, .webm, .avi).")
  Path annotate;

  @Option(
      names = "--live",
      description =
          "A live source: reopen it when it breaks, drop frames when behind; Ctrl-C stops.")
  boolean live;

  @Option(
      names = "--rtsp-transport",
      paramLabel = "tcp|udp",
      description = "How an rtsp:// stream is carried (FFmpeg's default: UDP, then TCP).")
  RtspTransport rtspTransport;

  /** The transports FFmpeg's RTSP client offers for the stream itself. */
  enum RtspTransport {
    tcp,
    udp
  }

  @Mixin Cli.JsonOption output;

  @Mixin Cli.EncoderOptions encoderOptions;

  @Override
  public Integer call() throws Exception {
    // A shutdown hook (Ctrl-C, SIGTERM) stops a live watch, then waits for this thread to print
    // the summary and close the annotated file, the gallery and the encoder.
    CountDownLatch finished = new CountDownLatch(1);
    try {
      return watch(finished);
    } finally {
      finished.countDown();
    }
  }

  private int watch(CountDownLatch finished) throws Exception {
    PrintStream out = System.out;
    try (Encoder encoder = encoderOptions.open(true, false);
        Gallery gallery = location.open(encoder, false);
        Annotator annotator = annotate == null ? null : new Annotator(annotate)) {
      FaceWatcher.Builder builder = FaceWatcher.builder(encoder, gallery).detectEvery(every);
      Map<String, String> ffmpeg =
          rtspTransport == null ? Map.of() : Map.of("rtsp_transport", rtspTransport.name());
      builder.sourceOptions(ffmpeg);
      if (annotator != null) {
        builder.onFrame(annotator);
      }
      FaceWatcher watcher = builder.build();
      java.util.function.Consumer<FaceEvent> print =
          event -> {
            out.println(output.json ? Json.line(EventJson.of(event)) : text(event));
            out.flush();
          };
      long start = System.nanoTime();
      FaceWatcher.Summary summary;
      if (live) {
        FaceWatcher.Live running = watcher.watchLive(source, print);
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      running.stop();
                      try {
                        finished.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    },
                    "semblance-watch-stop"));
        try {
          summary = running.await(); // until Ctrl-C
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // an embedding program's interrupt: stop too
          summary = running.stop();
        }
      } else {
        try (VideoSource video = VideoSource.open(source, Duration.ofSeconds(10), ffmpeg)) {
          summary = watcher.watch(video, print);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.err.printf(
          Locale.ROOT,
          "semblance: %d frames (%.1f per second), %d detected, %d faces embedded, %d tracks, %d cuts, %d dropped, %d reconnects%n",
          summary.frames(),
          summary.frames() / seconds,
          summary.framesDetected(),
          summary.facesEmbedded(),
          summary.tracks(),
          summary.cuts(),
          summary.framesDropped(),
          summary.reconnects());
    }
    return Cli.OK;
  }

  static String text(FaceEvent event) {
    String at = clock(event.time());
    if (event instanceof FaceEvent.Appeared a) {
      return String.format(
          Locale.ROOT,
          "%s track %d (person %d) appeared at frame %d",
          at,
          a.track(),
          a.person(),
          a.frame());
    }
    if (event instanceof FaceEvent.Identified i) {
      return String.format(
          Locale.ROOT,
          "%s track %d is %s (similarity %.3f; frames %s)",
          at,
          i.track(),
          i.identity().orElse("unknown"),
          i.similarity(),
          i.evidence());
    }
    FaceEvent.Left l = (FaceEvent.Left) event;
    return String.format(
        Locale.ROOT,
        "%s track %d left: %s, seen %s to %s (frames %d-%d), out of view %s",
        at,
        l.track(),
        l.identity().orElse("unknown"),
        clock(l.from()),
        at,
        l.firstFrame(),
        l.lastFrame(),
        clock(l.unseen()));
  }

  private static String clock(Duration d) {
    return String.format(
        Locale.ROOT, "%02d:%02d.%03d", d.toMinutes(), d.toSecondsPart(), d.toMillisPart());
  }

  /** An event as one JSON line; thumbnails are left out (they are pixels). */
  record EventJson(
      String event,
      int track,
      int person,
      long timeMs,
      Long frame,
      float[] box,
      String identity,
      Float similarity,
      List<Long> evidence,
      Long firstFrame,
      Long lastFrame,
      Long unseenMs) {
    static EventJson of(FaceEvent e) {
      long ms = e.time().toMillis();
      if (e instanceof FaceEvent.Appeared a) {
        return new EventJson(
            "appeared",
            a.track(),
            a.person(),
            ms,
            a.frame(),
            box(a.box()),
            null,
            null,
            null,
            null,
            null,
            null);
      }
      if (e instanceof FaceEvent.Identified i) {
        return new EventJson(
            "identified",
            i.track(),
            i.person(),
            ms,
            null,
            null,
            i.identity().orElse(null),
            i.similarity(),
            i.evidence(),
            null,
            null,
            null);
      }
      FaceEvent.Left l = (FaceEvent.Left) e;
      return new EventJson(
          "left",
          l.track(),
          l.person(),
          ms,
          null,
          null,
          l.identity().orElse(null),
          null,
          null,
          l.firstFrame(),
          l.lastFrame(),
          l.unseen().toMillis());
    }

    private static float[] box(Box b) {
      return new float[] {b.left(), b.top(), b.right(), b.bottom()};
    }
  }

  /** Draws each followed face on its frame and writes the frames into a video. */
  static final class Annotator implements FaceWatcher.FrameObserver, AutoCloseable {
    private static final Color KNOWN = new Color(40, 200, 60);
    private static final Color UNKNOWN = new Color(230, 50, 50);
    private static final Color UNDECIDED = new Color(240, 200, 40);
    private final Path file;
    private VideoWriter writer;

    /** The source's own frame rate, so that the copy plays at the speed of the original. */
    private volatile double fps = 25;

    Annotator(Path file) {
      this.file = file;
    }

    @Override
    public void opened(VideoSource source) {
      if (source.frameRate() > 0) {
        fps = source.frameRate();
      }
    }

    @Override
    public void frame(VideoFrame frame, List<FaceWatcher.TrackedFace> faces) {
      RgbFrame image = frame.image();
      int w = image.width() & ~1;
      int h = image.height() & ~1;
      if (writer == null) {
        writer = VideoWriter.open(file, w, h, fps);
      }
      BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      byte[] bgr = ((DataBufferByte) canvas.getRaster().getDataBuffer()).getData();
      byte[] rgb = image.rgb();
      for (int y = 0; y < h; y++) {
        for (int x = 0, s = 3 * y * image.width(), d = 3 * y * w; x < w; x++, s += 3, d += 3) {
          bgr[d] = rgb[s + 2];
          bgr[d + 1] = rgb[s + 1];
          bgr[d + 2] = rgb[s];
        }
      }
      Graphics2D g = canvas.createGraphics();
      g.setStroke(new BasicStroke(Math.max(2f, w / 400f)));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(12, h / 40)));
      for (FaceWatcher.TrackedFace face : faces) {
        Optional<String> who = face.identity();
        g.setColor(!face.decided() ? UNDECIDED : who.isPresent() ? KNOWN : UNKNOWN);
        Box b = face.box();
        g.drawRect(
            Math.round(b.left()),
            Math.round(b.top()),
            Math.round(b.width()),
            Math.round(b.height()));
        String label = "#" + face.track() + " " + (face.decided() ? who.orElse("unknown") : "…");
        g.drawString(label, Math.round(b.left()), Math.round(b.top()) - 4);
      }
      g.dispose();
      byte[] outRgb = new byte[bgr.length];
      for (int p = 0; p < bgr.length; p += 3) {
        outRgb[p] = bgr[p + 2];
        outRgb[p + 1] = bgr[p + 1];
        outRgb[p + 2] = bgr[p];
      }
      writer.write(RgbFrame.of(w, h, outRgb));
    }

    @Override
    public void close() {
      if (writer != null) {
        writer.close();
      }
    }
  }
}
