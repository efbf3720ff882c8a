package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * No memory growth over a long live stream, behind a flag (ten minutes by default):
 *
 * <pre>
 * mvn -B -pl video test -Dtest=VideoSoak -Dsemblance.videoSoak=600
 * </pre>
 *
 * A loopback HTTP server sends a 20 s MPEG-TS of three moving portraits over and over at real speed
 * (a camera that never stops, with a break at every loop's end); the watcher follows it live. The
 * heap after a full collection is taken after the first minute and at the end.
 */
class VideoSoak {
  @Test
  void heapStaysFlatOnALongStream() throws Exception {
    long seconds = Long.getLong("semblance.videoSoak", 0);
    assumeTrue(seconds > 0, "skipped: -Dsemblance.videoSoak=SECONDS (e.g. 600)");
    Path tv = TestData.dir("tv-characters");
    Path dir = Files.createTempDirectory("semblance-soak");
    Path video = dir.resolve("loop.ts");
    SyntheticVideo.write(
        video,
        1280,
        720,
        25,
        500,
        List.of(
            new SyntheticVideo.Actor(
                "amy",
                SyntheticVideo.read(tv.resolve("amy/amy2.png")),
                180,
                new double[] {100, 100},
                new double[] {400, 150},
                0,
                499),
            new SyntheticVideo.Actor(
                "raj",
                SyntheticVideo.read(tv.resolve("raj/raj3.png")),
                180,
                new double[] {900, 400},
                new double[] {700, 380},
                100,
                499),
            new SyntheticVideo.Actor(
                "stuart",
                SyntheticVideo.read(tv.resolve("stuart/stuart2.png")),
                180,
                new double[] {500, 450},
                new double[] {560, 420},
                0,
                300)));
    byte[] stream = Files.readAllBytes(video);
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/live.ts",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          int chunk = stream.length / 500 + 1; // one frame's worth every 40 ms
          try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0; at < stream.length; at += chunk) {
              out.write(stream, at, Math.min(chunk, stream.length - at));
              out.flush();
              Thread.sleep(40);
            }
          } catch (IOException e) {
            // the watcher went away
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    http.start();
    AtomicLong events = new AtomicLong();
    try (Encoder encoder = Encoder.builder().quality(true).build();
        Gallery gallery = Gallery.create(encoder)) {
      for (String person : List.of("amy", "raj", "penny")) {
        gallery.enroll(
            person,
            encoder.encodeMainFace(tv.resolve(person + "/" + person + "1.png")).embedding());
      }
      FaceWatcher watcher =
          FaceWatcher.builder(encoder, gallery)
              .reconnect(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(2))
              .build();
      FaceWatcher.Live live =
          watcher.watchLive(
              "http://127.0.0.1:" + http.getAddress().getPort() + "/live.ts",
              e -> events.incrementAndGet());
      Thread.sleep(60_000);
      long start = heapAfterGc();
      Thread.sleep(Math.max(0, seconds - 60) * 1000);
      long end = heapAfterGc();
      FaceWatcher.Summary summary = live.stop();
      System.out.printf(
          Locale.ROOT,
          "soak %d s: heap after GC %.1f MB at 1 min, %.1f MB at the end; %d frames tracked,"
              + " %d dropped, %d reconnects, %d tracks, %d events%n",
          seconds,
          start / 1e6,
          end / 1e6,
          summary.frames(),
          summary.framesDropped(),
          summary.reconnects(),
          summary.tracks(),
          events.get());
      assertThat(end).isLessThan(start + (32L << 20));
    } finally {
      http.stop(0);
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
