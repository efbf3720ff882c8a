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
 * A network stream on loopback (MPEG-TS over HTTP) that breaks mid-way: the watcher reports the
 * break, opens the stream again with back-off, and goes on naming the face.
 */
class LiveStreamTest {
  @TempDir Path dir;

  @Test
  void aBrokenStreamIsOpenedAgainAndTheFaceStillNamed() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path video = dir.resolve("amy.ts");
    SyntheticVideo.write(
        video,
        320,
        240,
        25,
        75,
        List.of(
            new SyntheticVideo.Actor(
                "amy",
                SyntheticVideo.read(tv.resolve("amy/amy3.png")),
                110,
                new double[] {30, 40},
                new double[] {150, 70},
                0,
                74)));
    byte[] stream = Files.readAllBytes(video);
    AtomicInteger requests = new AtomicInteger();
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/cam.ts",
        exchange -> {
          boolean breakOff = requests.incrementAndGet() == 1;
          exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
          exchange.sendResponseHeaders(200, 0); // chunked, as a live stream is
          // Paced like a camera: 75 frames' worth of bytes over 3 s.
          int end = breakOff ? stream.length / 2 : stream.length;
          int chunk = stream.length / 75 + 1;
          try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0; at < end; at += chunk) {
              out.write(stream, at, Math.min(chunk, end - at));
              out.flush();
              Thread.sleep(40);
            }
          } catch (java.io.IOException e) {
            // the client went away
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (breakOff) {
            exchange.close(); // mid-stream: the connection just ends
          }
        });
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
              .streamTimeout(Duration.ofSeconds(3))
              .build();
      FaceWatcher.Live live = watcher.watchLive(url, events::add);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((live.reconnects() < 2
              || events.stream().noneMatch(e -> e instanceof FaceEvent.Identified))
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      FaceWatcher.Summary summary = live.stop();
      assertThat(summary.reconnects()).isGreaterThanOrEqualTo(2);
      assertThat(requests.get()).isGreaterThanOrEqualTo(2);
      assertThat(summary.frames()).isGreaterThan(0);
      assertThat(events)
          .filteredOn(e -> e instanceof FaceEvent.Identified)
          .extracting(e -> ((FaceEvent.Identified) e).identity())
          .isNotEmpty()
          .allMatch(id -> id.equals(Optional.of("amy")));
      assertThat(events).filteredOn(e -> e instanceof FaceEvent.Left).isNotEmpty();
    } finally {
      http.stop(0);
    }
  }
}
