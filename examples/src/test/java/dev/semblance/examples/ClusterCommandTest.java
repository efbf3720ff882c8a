package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semblance cluster} on tv-characters: 40 portrait crops of eight people and five group
 * photos, clustered with nobody enrolled.
 */
class ClusterCommandTest {
  @TempDir Path dir;

  @Test
  void clustersTvCharactersIntoPeopleAndWritesJsonCsvAndAContactSheet() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path out = dir.resolve("clusters");
    assertThat(Cli.run("cluster", tv.toString(), "--out", out.toString())).isZero();

    List<String> csv = Files.readAllLines(out.resolve("clusters.csv"));
    assertThat(csv.get(0)).isEqualTo("path,face,cluster");
    JsonNode json = new ObjectMapper().readTree(out.resolve("clusters.json").toFile());
    assertThat(json.get("images").asInt()).isEqualTo(45);
    int faces = json.get("faces").asInt();
    assertThat(csv).hasSize(faces + 1);
    assertThat(faces).isGreaterThanOrEqualTo(40 + 20);

    // Every cluster holding portrait crops holds one person's only; each person has a main cluster.
    Map<String, Map<String, Integer>> clustersOfPerson = new HashMap<>();
    int biggest = Integer.MAX_VALUE;
    for (JsonNode cluster : json.get("clusters")) {
      assertThat(cluster.get("size").asInt()).isLessThanOrEqualTo(biggest);
      biggest = cluster.get("size").asInt();
      Set<String> people = new HashSet<>();
      for (JsonNode face : cluster.get("faces")) {
        Path path = Path.of(face.get("path").asText());
        if (!path.getParent().getFileName().toString().equals("group-photos")) {
          String person = path.getParent().getFileName().toString();
          people.add(person);
          clustersOfPerson
              .computeIfAbsent(person, p -> new HashMap<>())
              .merge(cluster.get("id").asText(), 1, Integer::sum);
        }
      }
      assertThat(people).as("people in cluster %s", cluster.get("id")).hasSizeLessThanOrEqualTo(1);
    }
    assertThat(clustersOfPerson).hasSize(8);
    int together = 0;
    for (Map<String, Integer> counts : clustersOfPerson.values()) {
      together += counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
    assertThat(together).as("crops in their person's biggest cluster").isGreaterThanOrEqualTo(34);
    for (String row : csv.subList(1, csv.size())) {
      assertThat(row).matches("[^,]+,\\d+,\\d*");
    }

    int shown = 0;
    for (JsonNode cluster : json.get("clusters")) {
      shown += Math.min(ContactSheet.PER_CLUSTER, cluster.get("size").asInt());
    }
    shown += Math.min(ContactSheet.ALONE, json.get("alone").size());
    Chromium.assertRenders(
        out.resolve("contact-sheet.html"), dir, "data-thumbnails=\"ok:" + shown + "\"");
  }

  @Test
  void evaluateClusteringScoresEveryMethodAndCutOffAgainstTheFolders() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path people = dir.resolve("people");
    for (String person :
        List.of("amy", "bernadette", "howard", "leonard", "penny", "raj", "sheldon", "stuart")) {
      Files.createDirectories(people);
      Files.createSymbolicLink(people.resolve(person), tv.resolve(person).toAbsolutePath());
    }
    Path out = dir.resolve("evaluation");
    assertThat(
            Cli.run(
                "evaluate",
                "clustering",
                "--people",
                people.toString(),
                "--pairwise-fmr",
                "1e-4,1e-5",
                "--batches",
                "2",
                "--out-dir",
                out.toString()))
        .isZero();
    JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertThat(json.get("faces").asInt()).isEqualTo(40);
    assertThat(json.get("people").asInt()).isEqualTo(8);
    assertThat(json.get("results")).hasSize(3 * 2);
    for (JsonNode row : json.get("results")) {
      assertThat(row.get("batches").asInt()).isEqualTo(2);
      assertThat(row.get("quality").get("bcubed_precision").asDouble()).isGreaterThan(0.9);
      if (row.get("method").asText().equals("AVERAGE_LINKAGE")) {
        assertThat(row.get("bcubed_f").asDouble()).as(row.toString()).isGreaterThan(0.85);
      }
    }
    assertThat(out.resolve("report.html")).isNotEmptyFile();
    assertThat(
            Cli.run(
                "evaluate",
                "clustering",
                "--people",
                people.toString(),
                "--batches",
                "0",
                "--out-dir",
                out.toString()))
        .isEqualTo(Cli.BAD_INPUT);
  }

  @Test
  void onePerImageKeepsOneFacePerImage() throws Exception {
    Path tv = TestData.dir("tv-characters");
    Path out = dir.resolve("main-faces");
    assertThat(
            Cli.run(
                "cluster",
                tv.resolve("group-photos").toString(),
                tv.resolve("penny").toString(),
                "--one-per-image",
                "--out",
                out.toString()))
        .isZero();
    assertThat(Files.readAllLines(out.resolve("clusters.csv"))).hasSize(1 + 10);
  }

  @Test
  void badInputIsAClearErrorAndWritesNothing() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path out = dir.resolve("out");
    assertThat(Cli.run("cluster", empty.toString(), "--out", out.toString()))
        .isEqualTo(Cli.BAD_INPUT);
    Path tv = TestData.dir("tv-characters");
    assertThat(
            Cli.run(
                "cluster",
                tv.resolve("amy").toString(),
                "--pairwise-fmr",
                "2",
                "--out",
                out.toString()))
        .isEqualTo(Cli.BAD_INPUT);
    assertThat(Cli.run("cluster", tv.toString(), "--method", "KMEANS", "--out", out.toString()))
        .isEqualTo(Cli.USAGE);
    assertThat(out).doesNotExist();
  }
}
