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
}
