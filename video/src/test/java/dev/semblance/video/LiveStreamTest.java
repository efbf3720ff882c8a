package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network streams on loopback: an MPEG-TS over HTTP that stalls, then breaks, mid-way (the watcher
 * reports each, opens the stream again with back-off, and goes on naming the face), an MJPEG
 * camera, a watch too slow for its camera, RTSP, and credentials kept out of the logs.
 */
class LiveStreamTest {
  @TempDir Path dir;

  @Test
  void aBrokenStreamIsOpenedAgainAndTheFaceStillNamed() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path video = dir.resolve("amy.ts");
    amyWalks(video, 75);
    byte[] stream = Files.readAllBytes(video);
    AtomicInteger requests = new AtomicInteger();
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/cam.ts",
        exchange -> {
          // The first connection stalls half-way, the second breaks half-way, then whole loops.
          int request = requests.incrementAndGet();
          boolean half = request <= 2;
          exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
          exchange.sendResponseHeaders(200, 0); // chunked, as a live stream is
          // Paced like a camera: 75 frames' worth of bytes over 3 s.
          int end = half ? stream.length / 2 : stream.length;
          int chunk = stream.length / 75 + 1;
          try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0; at < end; at += chunk) {
              out.write(stream, at, Math.min(chunk, end - at));
              out.flush();
              Thread.sleep(40);
            }
            if (request == 1) {
              Thread.sleep(20_000); // silent, connection open
            }
          } catch (java.io.IOException e) {
            // the client went away
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    http.start();
    List<FaceEvent> events = new CopyOnWriteArrayList<>();
    try (Encoder encoder = Encoder.builder().build();
        Gallery gallery = Gallery.create(encoder)) {
      gallery.enroll("amy", encoder.encodeMainFace(tv.resolve("amy/amy1.png")).embedding());
      // A source by URL: decodes over HTTP like a file.
      String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/cam.ts";
      try (VideoSource source = VideoSource.open(url)) {
        assertThat(source.next()).isPresent();
      }
      requests.set(0);
      FaceWatcher watcher =
          FaceWatcher.builder(encoder, gallery)
              .reconnect(Duration.ofMillis(100), Duration.ofMillis(400))
              .streamTimeout(Duration.ofSeconds(1))
              .build();
      FaceWatcher.Live live = watcher.watchLive(url, events::add);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((live.reconnects() < 3
              || events.stream().noneMatch(e -> e instanceof FaceEvent.Identified))
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      FaceWatcher.Summary summary = live.stop();
      assertThat(summary.reconnects()).isGreaterThanOrEqualTo(3);
      assertThat(requests.get()).isGreaterThanOrEqualTo(3);
      assertThat(summary.frames()).isGreaterThan(0);
      assertThat(events)
          .filteredOn(e -> e instanceof FaceEvent.Identified)
          .extracting(e -> ((FaceEvent.Identified) e).identity())
          .isNotEmpty()
          .allMatch(id -> id.equals(Optional.of("amy")));
      assertThat(events).filteredOn(e -> e instanceof FaceEvent.Left).isNotEmpty();
    } finally {
      http.stop(0);
      ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }
  }

  @Test
  void anMjpegCameraOverHttpIsDecodedAndItsFaceNamed() throws Exception {
    Path tv = TestData.dir("tv-characters");
    java.awt.image.BufferedImage portrait = SyntheticVideo.read(tv.resolve("penny/penny3.png"));
    List<byte[]> jpegs = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      java.awt.image.BufferedImage frame =
          new java.awt.image.BufferedImage(320, 240, java.awt.image.BufferedImage.TYPE_INT_RGB);
      java.awt.Graphics2D g = frame.createGraphics();
      g.setColor(java.awt.Color.DARK_GRAY);
      g.fillRect(0, 0, 320, 240);
      g.drawImage(portrait, 40 + 2 * i, 50, 120, 120, null);
      g.dispose();
      java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(frame, "jpg", jpeg);
      jpegs.add(jpeg.toByteArray());
    }
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/mjpg",
        exchange -> {
          exchange
              .getResponseHeaders()
              .add("Content-Type", "multipart/x-mixed-replace;boundary=frame");
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            for (byte[] jpeg : jpegs) {
              out.write(
                  ("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                          + jpeg.length
                          + "\r\n\r\n")
                      .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
              out.write(jpeg);
              out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
              out.flush();
            }
          } catch (java.io.IOException e) {
            // the client went away
          }
        });
    http.start();
    try (Encoder encoder = Encoder.builder().build();
        Gallery gallery = Gallery.create(encoder)) {
      gallery.enroll("penny", encoder.encodeMainFace(tv.resolve("penny/penny1.png")).embedding());
      List<FaceEvent> events = new java.util.ArrayList<>();
      FaceWatcher.Summary summary;
      try (VideoSource camera =
          VideoSource.open("http://127.0.0.1:" + http.getAddress().getPort() + "/mjpg")) {
        assertThat(camera.width()).isEqualTo(320);
        summary = FaceWatcher.builder(encoder, gallery).build().watch(camera, events::add);
      }
      assertThat(summary.frames()).isEqualTo(40);
      assertThat(events)
          .filteredOn(e -> e instanceof FaceEvent.Left)
          .extracting(e -> ((FaceEvent.Left) e).identity())
          .containsExactly(Optional.of("penny"));
    } finally {
      http.stop(0);
    }
  }

  @Test
  void aWatchThatFallsBehindStillDetectsOnOneFrameInFiveItTracks() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path video = dir.resolve("amy.ts");
    amyWalks(video, 150);
    HttpServer http = LoopbackCamera.server();
    try (Encoder encoder = Encoder.builder().build();
        Gallery gallery = Gallery.create(encoder)) {
      gallery.enroll("amy", encoder.encodeMainFace(tv.resolve("amy/amy1.png")).embedding());
      String url = LoopbackCamera.serve(http, "/cam.ts", video, 25);
      // A consumer that takes 150 ms a frame gets one frame in four of a 25 fps camera: the
      // frames it tracks are numbered about four apart.
      FaceWatcher.Live live =
          FaceWatcher.builder(encoder, gallery)
              .detectEvery(5)
              .onFrame((frame, faces) -> sleep(150))
              .build()
              .watchLive(url, e -> {});
      Thread.sleep(6_000);
      FaceWatcher.Summary summary = live.stop();
      assertThat(summary.framesDropped()).isGreaterThan(2 * summary.frames());
      // Every 5th frame tracked, and at once after a cut or a new connection.
      assertThat(summary.framesDetected())
          .isLessThanOrEqualTo(summary.frames() / 5 + summary.cuts() + summary.reconnects() + 2);
    } finally {
      LoopbackCamera.stop(http);
    }
  }

  /** Amy walking across a 320×240, 25 fps video of {@code frames} frames. */
  private static void amyWalks(Path video, int frames) {
    SyntheticVideo.write(
        video,
        320,
        240,
        25,
        frames,
        List.of(
            new SyntheticVideo.Actor(
                "amy",
                SyntheticVideo.read(TestData.dir("tv-characters").resolve("amy/amy3.png")),
                110,
                new double[] {30, 40},
                new double[] {150, 70},
                0,
                frames - 1)));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void passwordsInStreamUrlsNeverReachTheLogs() throws Exception {
    assertThat(VideoSource.redact("rtsp://admin:s3cret@10.0.0.5:554/stream1"))
        .isEqualTo("rtsp://admin:***@10.0.0.5:554/stream1");
    assertThat(VideoSource.redact("http://cam@host/x")).isEqualTo("http://cam@host/x");
    assertThat(VideoSource.redact("/dev/video0")).isEqualTo("/dev/video0");
    // Nothing listens on the port: every try fails and is logged, with the password hidden.
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "http://door:s3cret@127.0.0.1:" + port + "/cam.ts";
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(() -> VideoSource.open(url))
                .getMessage())
        .contains("door:***@")
        .doesNotContain("s3cret");
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    try (Encoder encoder = Encoder.builder().build();
        Gallery gallery = Gallery.create(encoder)) {
      System.setErr(new java.io.PrintStream(captured, true, "UTF-8"));
      FaceWatcher.Live live =
          FaceWatcher.builder(encoder, gallery)
              .reconnect(Duration.ofMillis(20), Duration.ofMillis(40))
              .build()
              .watchLive(url, e -> {});
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (live.reconnects() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      live.stop();
    } finally {
      System.setErr(err);
    }
    String logged = captured.toString("UTF-8");
    assertThat(logged).contains("door:***@127.0.0.1").doesNotContain("s3cret");
  }

  @Test
  void anRtspStreamIsWatchedOverTcpAndUdp() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path video = dir.resolve("raj.mp4");
    SyntheticVideo.write(
        video,
        320,
        240,
        25,
        50,
        List.of(
            new SyntheticVideo.Actor(
                "raj",
                SyntheticVideo.read(tv.resolve("raj/raj3.png")),
                110,
                new double[] {30, 40},
                new double[] {150, 70},
                0,
                49)));
    String ffmpeg = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
    try (Encoder encoder = Encoder.builder().build();
        Gallery gallery = Gallery.create(encoder)) {
      gallery.enroll("raj", encoder.encodeMainFace(tv.resolve("raj/raj1.png")).embedding());
      for (String transport : List.of("tcp", "udp")) {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
          port = socket.getLocalPort();
        }
        String url = "rtsp://127.0.0.1:" + port + "/live";
        // FFmpeg's RTSP muxer pushes (ANNOUNCE, RECORD): the source listens, the program streams
        // the video at its own speed, as a camera would.
        java.util.concurrent.CompletableFuture<VideoSource> opening =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () ->
                    VideoSource.open(
                        url,
                        Duration.ofSeconds(10),
                        java.util.Map.of("rtsp_flags", "listen", "rtsp_transport", transport)));
        Thread.sleep(300);
        ProcessBuilder program =
            new ProcessBuilder(
                    ffmpeg,
                    "-v",
                    "error",
                    "-re",
                    "-i",
                    video.toString(),
                    "-c",
                    "copy",
                    "-f",
                    "rtsp",
                    "-rtsp_transport",
                    transport,
                    url)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("rtsp-" + transport + ".log").toFile());
        program.environment().put("LD_LIBRARY_PATH", Path.of(ffmpeg).getParent().toString());
        Process camera = program.start();
        List<FaceEvent> events = new java.util.ArrayList<>();
        FaceWatcher.Summary summary;
        try (VideoSource source = opening.get(20, TimeUnit.SECONDS)) {
          summary = FaceWatcher.builder(encoder, gallery).build().watch(source, events::add);
        } finally {
          camera.destroy();
          camera.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(summary.frames()).as("frames over %s", transport).isGreaterThan(40);
        assertThat(events)
            .filteredOn(e -> e instanceof FaceEvent.Left)
            .extracting(e -> ((FaceEvent.Left) e).identity())
            .as("decisions over %s", transport)
            .containsExactly(Optional.of("raj"));
      }
    }
  }
}
