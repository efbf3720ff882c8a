package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.testing.TestData;
import dev.semblance.video.SyntheticVideo;
import dev.semblance.video.VideoFrame;
import dev.semblance.video.VideoSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code watch}: events of a made-up video as JSON lines, and an annotated copy of it. */
class WatchCommandTest {
  @TempDir Path dir;

  @Test
  void printsOneDecisionPerPersonAndWritesAnAnnotatedVideo() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path gallery = dir.resolve("cast.gallery");
    try (Encoder encoder = Encoder.builder().build();
        Gallery cast = Gallery.create(encoder)) {
      for (String person : List.of("amy", "raj", "penny")) {
        cast.enroll(
            person,
            encoder.encodeMainFace(tv.resolve(person + "/" + person + "1.png")).embedding());
      }
      cast.save(gallery);
    }
    Path video = dir.resolve("two.mp4");
    SyntheticVideo.write(
        video,
        480,
        270,
        25,
        60,
        List.of(
            new SyntheticVideo.Actor(
                "raj",
                SyntheticVideo.read(tv.resolve("raj/raj2.png")),
                110,
                new double[] {20, 40},
                new double[] {120, 60},
                0,
                59),
            new SyntheticVideo.Actor(
                "stuart",
                SyntheticVideo.read(tv.resolve("stuart/stuart2.png")),
                110,
                new double[] {330, 120},
                new double[] {300, 110},
                0,
                59)));
    Path annotated = dir.resolve("annotated.mp4");
    StringWriter err = new StringWriter();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream oldOut = System.out;
    int code;
    try {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      CommandLine cli = Cli.commandLine(false);
      cli.setErr(new PrintWriter(err, true));
      code =
          cli.execute(
              "watch",
              video.toString(),
              "--gallery",
              gallery.toString(),
              "--json",
              "--annotate",
              annotated.toString());
    } finally {
      System.setOut(oldOut);
    }
    assertThat(code).as("%s", err).isEqualTo(0);
    List<JsonNode> events = new ArrayList<>();
    for (String line : out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        events.add(new ObjectMapper().readTree(line));
      }
    }
    assertThat(events)
        .extracting(e -> e.get("event").asText())
        .containsOnly("appeared", "identified", "left");
    List<String> decisions = new ArrayList<>();
    for (JsonNode e : events) {
      if (e.get("event").asText().equals("left")) {
        decisions.add(
            e.path("identity").isMissingNode() || e.get("identity").isNull()
                ? "unknown"
                : e.get("identity").asText());
      }
    }
    assertThat(decisions).containsExactlyInAnyOrder("raj", "unknown");

    // The annotated copy: every frame, with green (named) and red (unknown) boxes drawn.
    int frames = 0;
    boolean green = false;
    boolean red = false;
    try (VideoSource copy = VideoSource.open(annotated.toString())) {
      for (Optional<VideoFrame> f = copy.next(); f.isPresent(); f = copy.next()) {
        frames++;
        byte[] rgb = f.get().image().rgb();
        for (int p = 0; p < rgb.length; p += 3) {
          int r = rgb[p] & 0xFF;
          int g = rgb[p + 1] & 0xFF;
          int b = rgb[p + 2] & 0xFF;
          green |= g > 170 && r < 90 && b < 110;
          red |= r > 190 && g < 90 && b < 90;
        }
      }
    }
    assertThat(frames).isEqualTo(60);
    assertThat(green).as("a named face's box").isTrue();
    assertThat(red).as("the stranger's box").isTrue();
  }

  /**
   * {@code watch --live} in its own process, stopped with Ctrl-C (SIGINT to its whole process
   * group, as a terminal sends it): the open track is reported as left, the summary is printed, and
   * the annotated copy is finished at the camera's own frame rate (10 fps here, not 25).
   */
  @Test
  void aLiveWatchStoppedWithCtrlCFinishesEverything() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isExecutable(Path.of("/usr/bin/setsid")), "needs setsid");
    Path tv = TestData.dir("tv-characters");
    Path gallery = dir.resolve("raj.gallery");
    try (Encoder encoder = Encoder.builder().build();
        Gallery cast = Gallery.create(encoder)) {
      cast.enroll("raj", encoder.encodeMainFace(tv.resolve("raj/raj1.png")).embedding());
      cast.save(gallery);
    }
    Path video = dir.resolve("door.ts");
    SyntheticVideo.write(
        video,
        320,
        240,
        10,
        40,
        List.of(
            new SyntheticVideo.Actor(
                "raj",
                SyntheticVideo.read(tv.resolve("raj/raj2.png")),
                110,
                new double[] {30, 40},
                new double[] {120, 60},
                0,
                39)));
    byte[] stream = java.nio.file.Files.readAllBytes(video);
    com.sun.net.httpserver.HttpServer http =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/door.ts",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          int chunk = stream.length / 40 + 1;
          try (java.io.OutputStream body = exchange.getResponseBody()) {
            for (int at = 0; at < stream.length; at += chunk) { // a frame's worth every 100 ms
              body.write(stream, at, Math.min(chunk, stream.length - at));
              body.flush();
              Thread.sleep(100);
            }
          } catch (java.io.IOException e) {
            // the watcher went away
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    http.start();
    Path annotated = dir.resolve("door-annotated.mp4");
    Path errors = dir.resolve("stderr.txt");
    Process watch =
        new ProcessBuilder(
                // As a terminal's foreground job: SIGINT handled, even where this build runs in
                // the background (whose jobs inherit SIGINT ignored, and a JVM keeps it so).
                "/usr/bin/env",
                "--default-signal=INT",
                "/usr/bin/setsid",
                dev.semblance.testing.ChildJvm.java(),
                "-cp",
                dev.semblance.testing.ChildJvm.classPath(),
                Cli.class.getName(),
                "watch",
                "http://127.0.0.1:" + http.getAddress().getPort() + "/door.ts",
                "--gallery",
                gallery.toString(),
                "--live",
                "--json",
                "--annotate",
                annotated.toString())
            .redirectError(errors.toFile())
            .start();
    List<JsonNode> events = new ArrayList<>();
    // A watch that never names raj would loop over the live source for ever: end it, and fail
    // below with what it said.
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(120_000);
                watch.destroyForcibly();
              } catch (InterruptedException e) {
                // the watch ended in time
              }
            });
    watchdog.setDaemon(true);
    watchdog.start();
    try (java.io.BufferedReader lines =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                watch.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        JsonNode event = new ObjectMapper().readTree(line);
        events.add(event);
        if (event.get("event").asText().equals("identified")) {
          // Ctrl-C: the terminal signals the whole foreground process group.
          new ProcessBuilder("kill", "-INT", "--", "-" + watch.pid()).start().waitFor();
        }
      }
      assertThat(watch.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      watchdog.interrupt();
      watch.destroyForcibly();
      http.stop(0);
      ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }
    String stderr = java.nio.file.Files.readString(errors);
    assertThat(events)
        .as(
            "events %s; the watch's log ends %s",
            events, stderr.substring(Math.max(0, stderr.length() - 3000)))
        .extracting(e -> e.get("event").asText())
        .contains("identified", "left");
    JsonNode left = events.get(events.size() - 1);
    assertThat(left.get("event").asText()).isEqualTo("left");
    assertThat(left.get("identity").asText()).isEqualTo("raj");
    assertThat(stderr).as(stderr).contains("semblance: ").contains(" frames (");
    try (VideoSource copy = VideoSource.open(annotated.toString())) {
      assertThat(copy.frameRate()).isEqualTo(10.0, org.assertj.core.data.Offset.offset(0.01));
      int frames = 0;
      while (copy.next().isPresent()) {
        frames++;
      }
      java.util.regex.Matcher tracked =
          java.util.regex.Pattern.compile("semblance: (\\d+) frames").matcher(stderr);
      assertThat(tracked.find()).isTrue();
      assertThat(frames)
          .as("every frame tracked is in the copy")
          .isEqualTo(Integer.parseInt(tracked.group(1)));
    }
  }
}
