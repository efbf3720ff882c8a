package dev.semblance.video;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How many 720p cameras at 25 fps one machine follows in real time (behind a flag; docs/video.md):
 *
 * <pre>
 * mvn -B -pl video test -Dtest=MultiCameraBenchmark -Dsemblance.cameras=4
 * </pre>
 *
 * One to N loopback HTTP cameras, each sending VideoBenchmark's six moving faces at 720p (MPEG-TS,
 * 10 s longer than a run, so that no camera restarts its stream while measured) at 25 fps, watched
 * by one {@code watchLive(List, …)} with detection every 5th frame for 30 s: frames dropped (0 =
 * real time), the process's CPU per camera, faces per call of the shared embedder.
 */
class MultiCameraBenchmark {
  @Test
  void cameras() throws Exception {
    int max = Integer.getInteger("semblance.cameras", 0);
    assumeTrue(max > 0, "skipped: -Dsemblance.cameras=N");
    long seconds = Long.getLong("semblance.cameras.seconds", 30);
    Path tv = TestData.dir("tv-characters");
    Path dir = Files.createTempDirectory("semblance-cameras");
    Path video = dir.resolve("720p-6.ts");
    // Longer than a run, so that no camera restarts its stream while it is measured.
    int length = (int) (25 * (seconds + 10));
    SyntheticVideo.write(
        video, 1280, 720, 25, length, VideoBenchmark.cast(tv, 1280, 720, 6, length));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf(
        Locale.ROOT,
        "# %d cores, JDK %s; %d s per run%ncameras | frames tracked per camera per s | dropped"
            + " | CPU per camera (cores) | faces per embedder call%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        seconds);
    try (Encoder encoder = Encoder.builder().quality(true).build();
        Gallery gallery = Gallery.create(encoder)) {
      for (String person : List.of("amy", "bernadette", "howard", "leonard", "penny", "raj")) {
        gallery.enroll(
            person,
            encoder.encodeMainFace(tv.resolve(person + "/" + person + "1.png")).embedding());
      }
      FaceWatcher watcher =
          FaceWatcher.builder(encoder, gallery)
              .detectEvery(5)
              .queueFrames(Integer.getInteger("semblance.cameras.queue", 2))
              .build();
      for (int n = 1; n <= max; n++) {
        HttpServer http = LoopbackCamera.server();
        try {
          List<String> urls = new ArrayList<>();
          for (int c = 0; c < n; c++) {
            urls.add(LoopbackCamera.serve(http, "/cam" + c + ".ts", video, 25));
          }
          long cpu0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          Cameras cameras = watcher.watchLive(urls, (camera, e) -> {});
          Thread.sleep(seconds * 1000);
          double perBatch = cameras.facesPerBatch();
          long dropped = cameras.framesDropped();
          Map<String, FaceWatcher.Summary> summaries = cameras.stop();
          double wall = (System.nanoTime() - t0) / 1e9;
          double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
          long frames = summaries.values().stream().mapToLong(FaceWatcher.Summary::frames).sum();
          System.out.printf(
              Locale.ROOT,
              "%d | %.1f | %d | %.2f | %.2f%n",
              n,
              frames / wall / n,
              dropped,
              cpu / wall / n,
              perBatch);
        } finally {
          LoopbackCamera.stop(http);
        }
      }
    }
  }
}
