package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    Chromium.assertRenders(out.resolve("report.html"), dir, "data-plots=\"ok:4\"");

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
    Chromium.assertRenders(out.resolve("report.html"), dir, "data-plots=\"ok:3\"");
  }
}
