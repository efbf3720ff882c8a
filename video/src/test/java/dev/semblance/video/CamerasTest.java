package dev.semblance.video;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cameras in one watcher, over loopback HTTP at camera speed: each names its own person, the
 * events say which camera they come from, and the faces of both go through one embedder.
 */
class CamerasTest {
  @TempDir Path dir;

  @Test
  void twoCamerasShareOneEmbedderAndKeepTheirOwnPeople() throws Exception {
    Path tv = TestData.dir("tv-characters");
    HttpServer http = LoopbackCamera.server();
    try (Encoder encoder = Encoder.builder().build();
        Gallery gallery = Gallery.create(encoder)) {
      String[] people = {"amy", "raj"};
      List<String> urls = new java.util.ArrayList<>();
      for (String person : people) {
        gallery.enroll(
            person,
            encoder.encodeMainFace(tv.resolve(person + "/" + person + "1.png")).embedding());
        Path video = dir.resolve(person + ".ts");
        SyntheticVideo.write(
            video,
            320,
            240,
            25,
            75,
            List.of(
                new SyntheticVideo.Actor(
                    person,
                    SyntheticVideo.read(tv.resolve(person + "/" + person + "3.png")),
                    110,
                    new double[] {30, 40},
                    new double[] {150, 70},
                    0,
                    74)));
        urls.add(LoopbackCamera.serve(http, "/" + person + ".ts", video, 25));
      }
      List<String[]> events = new CopyOnWriteArrayList<>();
      Cameras cameras =
          FaceWatcher.builder(encoder, gallery)
              .build()
              .watchLive(
                  urls,
                  (camera, e) -> {
                    if (e instanceof FaceEvent.Identified i) {
                      events.add(new String[] {camera, i.identity().orElse("unknown")});
                    }
                  });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (events.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      double perBatch = cameras.facesPerBatch();
      Map<String, FaceWatcher.Summary> summaries = cameras.stop();
      assertThat(events).hasSizeGreaterThanOrEqualTo(2);
      for (String[] e : events) {
        String expected = e[0].endsWith("/amy.ts") ? "amy" : "raj";
        assertThat(e[1]).as("named on %s", e[0]).isEqualTo(expected);
      }
      assertThat(events.stream().map(e -> e[0]).distinct()).hasSize(2);
      assertThat(summaries.keySet()).containsExactlyElementsOf(urls);
      summaries.values().forEach(s -> assertThat(s.facesEmbedded()).isPositive());
      assertThat(perBatch).isGreaterThan(0);
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () ->
                      FaceWatcher.builder(encoder, gallery)
                          .build()
                          .watchLive(List.of(urls.get(0), urls.get(0)), (c, e) -> {})))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("each camera once");
    } finally {
      LoopbackCamera.stop(http);
    }
  }
}
