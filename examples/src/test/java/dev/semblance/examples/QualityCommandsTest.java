package dev.semblance.examples;

import static dev.semblance.testing.Pictures.scaled;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.QualityModel;
import dev.semblance.testing.Required;
import dev.semblance.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quality and liveness through the command line, and their evaluations on a slice of LFW. */
class QualityCommandsTest {
  @TempDir Path dir;

  private record Run(int exitCode, String out) {}

  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      return new Run(Cli.run(args), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static Path group(int n) {
    return TestData.dir("tv-characters/group-photos").resolve("bbt" + n + ".jpg");
  }

  @Test
  void detectAndEmbedAddQualityAndLivenessWhenAsked() throws IOException {
    Run text = run("detect", "--quality", "--liveness", group(2).toString());
    assertThat(text.exitCode()).isZero();
    assertThat(text.out())
        .contains("quality ")
        .contains("yaw ")
        .containsPattern("(live|NOT LIVE) ");

    JsonNode json =
        new ObjectMapper()
            .readTree(run("detect", "--json", "--quality", group(2).toString()).out());
    JsonNode face = json.get(0).get("faces").get(0);
    assertThat(face.get("quality").get("score").asDouble()).isBetween(0.0, 1.0);
    assertThat(face.get("quality").has("inter_ocular_distance")).isTrue();
    assertThat(face.has("liveness")).isFalse();
    JsonNode plain =
        new ObjectMapper().readTree(run("detect", "--json", group(2).toString()).out());
    assertThat(plain.get(0).get("faces").get(0).has("quality")).isFalse();

    Path tsv = dir.resolve("faces.tsv");
    assertThat(
            run(
                    "embed",
                    "--quality",
                    "--liveness",
                    "--out",
                    tsv.toString(),
                    group(2).toString(),
                    dir.resolve("missing.jpg").toString())
                .exitCode())
        .isZero();
    List<String> rows = Files.readAllLines(tsv);
    String[] header = rows.get(0).split("\t");
    assertThat(List.of(header).subList(0, 23))
        .containsExactly(
            "path",
            "face",
            "left",
            "top",
            "right",
            "bottom",
            "score",
            "note",
            "quality",
            "inter_ocular_px",
            "sharpness",
            "brightness",
            "contrast",
            "yaw",
            "pitch",
            "roll",
            "left_eye_open",
            "right_eye_open",
            "embedding_norm",
            "liveness",
            "live",
            "e0",
            "e1");
    assertThat(header).hasSize(21 + 512);
    for (String row : rows.subList(1, rows.size() - 1)) {
      assertThat(row.split("\t", -1)).hasSize(header.length);
    }
    // A row without a face keeps the quality and liveness columns, empty, and has no embedding.
    String[] failed = rows.get(rows.size() - 1).split("\t", -1);
    assertThat(failed).hasSize(21);
    assertThat(failed[7]).contains("missing.jpg").contains("cannot read");
  }

  @Test
  void enrolRefusesARuinedPhotoWithTheReasonAndKeepsTheGoodOne() throws IOException {
    Path portrait = TestData.dir("lfw-dev/images").resolve("Aaron_Peirsol/Aaron_Peirsol_0001.jpg");
    BufferedImage image = ImageIO.read(portrait.toFile());
    Path ruined = dir.resolve("ruined.png");
    // Resolution lost: a 30-pixel thumbnail blown up to the original size.
    ImageIO.write(scaled(scaled(image, 0.12), image.getWidth() / 30.0), "png", ruined.toFile());
    Path gallery = dir.resolve("g.gallery");

    Run r =
        run(
            "enroll",
            "--json",
            "--min-quality",
            "0.7",
            "--gallery",
            gallery.toString(),
            "aaron",
            portrait.toString(),
            ruined.toString());
    assertThat(r.exitCode()).isZero();
    JsonNode summary = new ObjectMapper().readTree(r.out());
    assertThat(summary.get("enrolled").asInt()).isEqualTo(1);
    assertThat(summary.get("skipped")).hasSize(1);
    assertThat(summary.get("skipped").get(0).get("reason").asText())
        .contains("ruined.png refused")
        .contains("quality");

    // Without the gate both are enrolled.
    Run all =
        run(
            "enroll",
            "--json",
            "--gallery",
            dir.resolve("h.gallery").toString(),
            "aaron",
            portrait.toString(),
            ruined.toString());
    assertThat(new ObjectMapper().readTree(all.out()).get("skipped")).isEmpty();
    // --eyes-open alone turns the default gate on and refuses the blurred, half-shut eyes.
    Run eyes =
        run(
            "enroll",
            "--json",
            "--eyes-open",
            "--gallery",
            dir.resolve("e.gallery").toString(),
            "aaron",
            portrait.toString(),
            ruined.toString());
    JsonNode refused = new ObjectMapper().readTree(eyes.out()).get("skipped");
    assertThat(refused).hasSize(1);
    assertThat(refused.get(0).get("reason").asText()).contains("eyes not open");
  }

  @Test
  void theDemoRunsEveryStepOnTheSamplePhotos() throws IOException {
    Path samples = Path.of("target/samples");
    Required.check(
        Required.DATA,
        Files.isDirectory(samples),
        "the build fetches the sample photos into " + samples);
    Path out = dir.resolve("demo");
    Run demo = run("demo", "--samples", samples.toString(), "--out-dir", out.toString());
    assertThat(demo.exitCode()).isZero();
    assertThat(demo.out())
        .contains("1. Detect", "2. Enrolled", "3. Identify", "4. Cluster", "5. Which faces")
        .containsPattern("\\d+ of \\d+ faces accepted; \\d+ of \\d+ live")
        .containsPattern("refused: .*(quality|yaw)");
    assertThat(out.resolve("demo.gallery")).exists();
    assertThat(out.resolve("sample1.annotated.png")).exists();
  }

  @Test
  void verifyRequiringLivenessRefusesAScreenReplayOfTheSamePerson() throws IOException {
    Path people = TestData.dir("lfw-dev/images").resolve("Aaron_Peirsol");
    Path live = people.resolve("Aaron_Peirsol_0001.jpg");
    Path other = people.resolve("Aaron_Peirsol_0002.jpg");
    Path replay = dir.resolve("replay.jpg");
    ImageIO.write(
        AttackImages.make(ImageIO.read(live.toFile()), AttackImages.Kind.SCREEN, new Random(1)),
        "jpg",
        replay.toFile());

    Run real = run("verify", "--require-live", live.toString(), other.toString());
    assertThat(real.exitCode()).isZero();
    assertThat(real.out()).startsWith("same person").contains("liveness");
    Run attack = run("verify", "--require-live", replay.toString(), other.toString());
    assertThat(attack.exitCode()).isEqualTo(Cli.NO_MATCH);
    assertThat(attack.out()).startsWith("not a live capture");
    // Without the check the replay is simply the same person: what liveness is for.
    assertThat(run("verify", replay.toString(), other.toString()).exitCode()).isZero();

    JsonNode json =
        new ObjectMapper()
            .readTree(
                run("verify", "--json", "--require-live", replay.toString(), other.toString())
                    .out());
    assertThat(json.get("match").asBoolean()).isFalse();
    assertThat(json.get("liveness").get("score").asDouble())
        .isLessThan(json.get("liveness").get("threshold").asDouble());
    JsonNode plain =
        new ObjectMapper()
            .readTree(run("verify", "--json", live.toString(), other.toString()).out());
    assertThat(plain.get("liveness").isNull()).isTrue();
  }

  @Test
  void evaluateQualityDrawsErrorVersusRejectForEveryMeasure() throws IOException {
    Path lfw = TestData.dir("lfw-dev");
    Path train = slice(lfw.resolve("pairsDevTrain.txt"), 60, dir.resolve("train.txt"));
    Path test = slice(lfw.resolve("pairsDevTest.txt"), 60, dir.resolve("test.txt"));
    Path out = dir.resolve("quality");
    Run r =
        run(
            "evaluate",
            "quality",
            "--people",
            lfw.resolve("images").toString(),
            "--train",
            train.toString(),
            "--test",
            test.toString(),
            "--fmr",
            "1e-2",
            "--out-dir",
            out.toString());
    assertThat(r.exitCode()).isZero();
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    JsonNode curves = report.get("curves");
    assertThat(curves).hasSize(EvaluateQualityCommand.MEASURES.size() + 1);
    for (JsonNode c : curves) {
      assertThat(c.get("fnmr")).hasSize(21);
      // Nothing rejected: every measure starts from the same FNMR.
      assertThat(c.get("fnmr").get(0).asDouble())
          .isEqualTo(curves.get(0).get("fnmr").get(0).asDouble());
    }
    assertThat(report.get("threshold").asDouble()).isBetween(0.0, 1.0);
    assertThat(ImageIO.read(out.resolve("error-versus-reject.png").toFile())).isNotNull();
    assertThat(r.out()).contains("overall score").contains("random");

    // A second run with --fit reuses the measurements (faces.tsv) and writes the model file.
    Run fit =
        run(
            "evaluate",
            "quality",
            "--people",
            lfw.resolve("images").toString(),
            "--train",
            train.toString(),
            "--fmr",
            "1e-2",
            "--fit",
            "--out-dir",
            out.toString());
    assertThat(fit.exitCode()).isZero();
    assertThat(fit.out()).contains("quality model written to").contains("CV mean area");
    QualityModel model = QualityModel.load(out.resolve("quality-model.txt"));
    assertThat(QualityModel.forEmbedder(model.embedderId()))
        .as("the bundled embedder's")
        .isPresent();
    // Only the default features 1, 8 and 10 (sharpness, eyes, norm) carry a weight.
    double[] weights = model.weights();
    for (int k = 0; k < weights.length; k++) {
      assertThat(weights[k] != 0)
          .as(QualityModel.FEATURE_NAMES.get(k))
          .isEqualTo(k == 1 || k == 8 || k == 10);
    }
  }

  @Test
  void evaluateLivenessReportsBothErrorRatesOnRealPhotosAndAttackLikeCopies() throws IOException {
    Path lfw = TestData.dir("lfw-dev");
    Path train = slice(lfw.resolve("pairsDevTrain.txt"), 30, dir.resolve("train.txt"));
    Path test = slice(lfw.resolve("pairsDevTest.txt"), 30, dir.resolve("test.txt"));
    Path out = dir.resolve("liveness");
    Run r =
        run(
            "evaluate",
            "liveness",
            "--people",
            lfw.resolve("images").toString(),
            "--train",
            train.toString(),
            "--test",
            test.toString(),
            "--bona-fide",
            group(1).getParent().toString(),
            "--keep-attacks",
            "2",
            "--out-dir",
            out.toString());
    assertThat(r.exitCode()).isZero();
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertThat(report.get("threshold").asDouble()).isBetween(0.0, 1.0);
    JsonNode sets = report.get("test");
    // LFW test photos; print, screen and close-up screen attacks; the group photos
    assertThat(sets).hasSize(5);
    JsonNode real = sets.get(0);
    JsonNode print = sets.get(1);
    JsonNode screen = sets.get(2);
    assertThat(sets.get(4).get("set").asText()).endsWith("group-photos");
    assertThat(real.get("attacks").asBoolean()).isFalse();
    assertThat(print.get("attacks").asBoolean()).isTrue();
    // The model tells real photos from their re-captured copies on this slice.
    assertThat(report.get("area_under_curve").asDouble()).isGreaterThan(0.8);
    assertThat(real.get("mean_score").asDouble())
        .isGreaterThan(print.get("mean_score").asDouble())
        .isGreaterThan(screen.get("mean_score").asDouble());
    try (var kept = Files.list(out.resolve("attacks"))) {
      assertThat(kept.count()).isEqualTo(2);
    }
  }

  @Test
  void clusterShowsEachFacesQualityAndLeavesPoorFacesAlone() throws Exception {
    Path out = dir.resolve("clusters");
    Path photos = group(1).getParent();
    assertThat(
            run("cluster", photos.toString(), "--min-quality", "0.9", "--out-dir", out.toString())
                .exitCode())
        .isZero();
    List<String> csv = Files.readAllLines(out.resolve("clusters.csv"));
    assertThat(csv.get(0)).isEqualTo("path,face,cluster,quality");
    int poor = 0;
    for (String row : csv.subList(1, csv.size())) {
      String[] f = row.split(",", -1);
      double quality = Double.parseDouble(f[3]);
      assertThat(quality).isBetween(0.0, 1.0);
      if (quality < 0.9) {
        poor++;
        assertThat(f[2]).as("a poor face is left alone: %s", row).isEmpty();
      }
    }
    JsonNode json = new ObjectMapper().readTree(out.resolve("clusters.json").toFile());
    assertThat(json.get("alone").size()).isGreaterThanOrEqualTo(poor);
    assertThat(json.get("alone").get(0).has("quality")).isTrue();
    String sheet = Files.readString(out.resolve("contact-sheet.html"));
    assertThat(sheet).contains("quality ").contains("<span class=\"q\">");
    int shown = 0;
    for (JsonNode cluster : json.get("clusters")) {
      shown += Math.min(ContactSheet.PER_CLUSTER, cluster.get("size").asInt());
    }
    shown += Math.min(ContactSheet.ALONE, json.get("alone").size());
    Chromium.assertRenders(
        out.resolve("contact-sheet.html"), dir, "data-thumbnails=\"ok:" + shown + "\"");
  }

  /** The first {@code perKind} same-person and different-person pairs of a View 1 pairs file. */
  private static Path slice(Path pairs, int perKind, Path out) throws IOException {
    List<String> lines = Files.readAllLines(pairs);
    int total = Integer.parseInt(lines.get(0).trim());
    List<String> kept = new ArrayList<>();
    kept.add(String.valueOf(perKind));
    kept.addAll(lines.subList(1, 1 + perKind));
    kept.addAll(lines.subList(1 + total, 1 + total + perKind));
    return Files.write(out, kept);
  }
}
