package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation reports on the tv-characters set, opened in headless Chromium: the page must load with
 * every plot decoded, print no console error, and render to a non-blank screenshot.
 */
class ReportTest {
  private static final List<String> PEOPLE =
      List.of("amy", "bernadette", "howard", "leonard", "penny", "raj", "sheldon", "stuart");
  @TempDir Path dir;

  /** An LFW-format pairs file over tv-characters: image pairs of each person, and across people. */
  private Path pairsFile() throws IOException {
    List<String> lines = new ArrayList<>();
    List<String> same = new ArrayList<>();
    List<String> different = new ArrayList<>();
    for (int p = 0; p < PEOPLE.size(); p++) {
      String a = PEOPLE.get(p);
      String b = PEOPLE.get((p + 1) % PEOPLE.size());
      for (int i = 1; i <= 4; i++) {
        same.add(a + "\t" + i + "\t" + (i + 1));
        different.add(a + "\t" + i + "\t" + b + "\t" + (i + 1));
      }
    }
    lines.add(String.valueOf(same.size()));
    lines.addAll(same);
    lines.addAll(different);
    Path file = dir.resolve("pairs.txt");
    Files.write(file, lines);
    return file;
  }

  @Test
  void pairsReportHasEveryFigureAndRendersInABrowser() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path out = dir.resolve("pairs-report");
    int code =
        Cli.run(
            "evaluate",
            "pairs",
            "--pairs",
            pairsFile().toString(),
            "--images",
            tv.toString(),
            "--out-dir",
            out.toString(),
            "--folds",
            "4");
    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertThat(json.get("pairs").get("genuine_comparisons").asInt()).isEqualTo(32);
    assertThat(json.get("pairs").get("auc").asDouble()).isGreaterThan(0.95);
    assertThat(json.get("cross_validation").get("fold_accuracies")).hasSize(4);
    assertThat(json.get("all_image_pairs").get("impostor_comparisons").asInt())
        .isEqualTo(40 * 39 / 2 - 8 * 10);
    assertRendersInChromium(out.resolve("report.html"), 4);

    // A second run reuses the cached embeddings instead of encoding again.
    long cached = Files.getLastModifiedTime(out.resolve("embeddings.cache")).toMillis();
    assertThat(
            Cli.run(
                "evaluate",
                "pairs",
                "--pairs",
                pairsFile().toString(),
                "--images",
                tv.toString(),
                "--out-dir",
                out.toString(),
                "--folds",
                "5"))
        .isZero();
    assertThat(Files.getLastModifiedTime(out.resolve("embeddings.cache")).toMillis())
        .isEqualTo(cached);
  }

  @Test
  void identificationReportSeparatesMatedFromNonMatedSearches() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path gallery = dir.resolve("gallery");
    Path probes = dir.resolve("probes");
    for (String p : PEOPLE) {
      if (!p.equals("raj") && !p.equals("stuart")) { // raj and stuart are not enrolled
        Files.createDirectories(gallery.resolve(p));
        Files.copy(tv.resolve(p).resolve(p + "1.png"), gallery.resolve(p).resolve("1.png"));
      }
      Files.createDirectories(probes.resolve(p));
      for (int i = 2; i <= 5; i++) {
        Files.copy(tv.resolve(p).resolve(p + i + ".png"), probes.resolve(p).resolve(i + ".png"));
      }
    }
    // Three LFW people enlarge the gallery as distractors.
    Path distractors = dir.resolve("distractors");
    Path lfw = TestData.dir("lfw-dev/images");
    for (String image : List.of("Aaron_Peirsol_0001", "Gordon_Brown_0004", "Sergey_Lavrov_0001")) {
      String person = image.substring(0, image.length() - 5);
      Files.createDirectories(distractors.resolve(person));
      Files.copy(
          lfw.resolve(person).resolve(image + ".jpg"),
          distractors.resolve(person).resolve("1.jpg"));
    }
    Path out = dir.resolve("ident-report");
    assertThat(
            Cli.run(
                "evaluate",
                "identification",
                "--enroll-dir",
                gallery.toString(),
                "--probe-dir",
                probes.toString(),
                "--distractors",
                distractors.toString(),
                "--out-dir",
                out.toString()))
        .isZero();
    JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertThat(json.get("gallery_identities").asInt()).isEqualTo(9);
    assertThat(json.get("mated_searches").asInt()).isEqualTo(24);
    assertThat(json.get("non_mated_searches").asInt()).isEqualTo(8);
    assertThat(json.get("cmc").get(0).asDouble()).isGreaterThanOrEqualTo(23 / 24.0);
    assertRendersInChromium(out.resolve("report.html"), 3);
  }

  private void assertRendersInChromium(Path html, int plots) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    assumeTrue(
        Files.isExecutable(chromium), "skipped: Chromium not installed (apt-get install chromium)");
    String page = html.toUri().toString();
    List<String> flags =
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0");
    Path shot = dir.resolve(html.getParent().getFileName() + ".png");
    Run screenshot =
        chromium(
            flags,
            "--user-data-dir=" + dir.resolve("profile1"),
            "--window-size=1100,1400",
            "--screenshot=" + shot,
            page);
    assertThat(screenshot.err()).as("console messages").doesNotContain("CONSOLE");
    BufferedImage image = ImageIO.read(shot.toFile());
    assertThat(image.getWidth()).isEqualTo(1100);
    assertThat(distinctColours(image)).as("a rendered page, not a blank one").isGreaterThan(50);
    Run dom =
        chromium(
            flags,
            "--user-data-dir=" + dir.resolve("profile2"),
            "--virtual-time-budget=5000",
            "--dump-dom",
            page);
    assertThat(dom.out()).contains("data-plots=\"ok:" + plots + "\"");
  }

  private record Run(String out, String err) {}

  private Run chromium(List<String> flags, String... more) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("/usr/bin/chromium");
    command.addAll(flags);
    command.addAll(List.of(more));
    Path err = Files.createTempFile(dir, "chromium", ".log");
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(out, Files.readString(err));
  }

  private static int distinctColours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 7) {
      for (int x = 0; x < image.getWidth(); x += 7) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
