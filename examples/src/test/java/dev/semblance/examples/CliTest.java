package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semblance.Gallery;
import dev.semblance.LogisticHead;
import dev.semblance.ProjectionHead;
import dev.semblance.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line, run in-process on the shared tv-characters data. */
class CliTest {
  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Cli.run(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static Path tv() {
    return TestData.dir("tv-characters");
  }

  @Test
  void detectListsAndDrawsEveryFace() throws IOException {
    Path png = dir.resolve("bbt4.png");
    Run r =
        run(
            "detect",
            tv().resolve("group-photos/bbt4.jpg").toString(),
            "--annotate",
            png.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("bbt4.jpg: 6 faces (710x473)");
    assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(710);

    Run json = run("detect", "--json", tv().resolve("group-photos/bbt2.jpg").toString());
    JsonNode node = new ObjectMapper().readTree(json.out());
    assertThat(node.get(0).get("faces")).hasSize(3);
    assertThat(node.get(0).get("faces").get(0).get("landmarks")).hasSize(5);
  }

  @Test
  void enrollFromFoldersThenIdentifyAGroupPhoto() throws IOException {
    // Enrol image 1 of four people, one sub-folder each.
    Path people = dir.resolve("people");
    for (String name : List.of("sheldon", "penny", "raj", "howard")) {
      Files.createDirectories(people.resolve(name));
      Files.copy(tv().resolve(name).resolve(name + "1.png"), people.resolve(name).resolve("1.png"));
    }
    Path gallery = dir.resolve("cast.gallery");
    Run enroll = run("enroll", "--gallery", gallery.toString(), "--from", people.toString());
    assertThat(enroll.exitCode()).as(enroll.err()).isZero();
    assertThat(enroll.out()).contains("enrolled 4 identities from 4 images");
    assertThat(enroll.err()).contains("enrolling [").doesNotContain("INFO"); // logs need --verbose

    Run more =
        run(
            "enroll",
            "--gallery",
            gallery.toString(),
            "leonard",
            tv().resolve("leonard/leonard1.png").toString());
    assertThat(more.exitCode()).isZero();
    assertThat(Gallery.load(gallery).identities())
        .containsExactly("howard", "leonard", "penny", "raj", "sheldon");

    Run id =
        run(
            "identify",
            "--gallery",
            gallery.toString(),
            "--json",
            tv().resolve("group-photos/bbt3.jpg").toString());
    assertThat(id.exitCode()).isZero();
    JsonNode faces = new ObjectMapper().readTree(id.out()).get(0).get("faces");
    assertThat(faces).hasSize(5);
    List<String> names = new ArrayList<>();
    faces.forEach(f -> names.add(f.get("identity").asText()));
    assertThat(names).containsExactlyInAnyOrder("sheldon", "howard", "penny", "raj", "leonard");

    // Without Leonard enrolled, his face in bbt3 must come back unknown.
    Path partial = dir.resolve("partial.gallery");
    run("enroll", "--gallery", partial.toString(), "--from", people.toString());
    Run open =
        run(
            "identify",
            "--gallery",
            partial.toString(),
            tv().resolve("group-photos/bbt3.jpg").toString());
    assertThat(open.out()).contains("unknown");
  }

  @Test
  void verifySaysSameOrDifferentWithItsExitCode() {
    Run same =
        run(
            "verify",
            tv().resolve("amy/amy1.png").toString(),
            tv().resolve("amy/amy4.png").toString());
    assertThat(same.exitCode()).isZero();
    assertThat(same.out())
        .startsWith("same person: cosine similarity")
        .contains("threshold 0.3000");
    Run different =
        run(
            "verify",
            tv().resolve("amy/amy1.png").toString(),
            tv().resolve("raj/raj1.png").toString());
    assertThat(different.exitCode()).isEqualTo(1);
    assertThat(different.out()).startsWith("different people");
  }

  @Test
  void embedWritesOneRowPerFaceAndExplainsImagesWithout() throws IOException {
    Path folder = dir.resolve("mixed");
    Files.createDirectories(folder.resolve("sub"));
    Files.copy(tv().resolve("group-photos/bbt2.jpg"), folder.resolve("group.jpg"));
    Files.copy(tv().resolve("penny/penny2.png"), folder.resolve("sub/penny.png"));
    Files.writeString(folder.resolve("broken.jpg"), "not a jpeg");
    Path tsv = dir.resolve("out.tsv");
    Run all = run("embed", folder.toString(), "--out", tsv.toString());
    assertThat(all.exitCode()).isZero();
    List<String> rows = Files.readAllLines(tsv);
    assertThat(rows.get(0))
        .startsWith("path\tface\tleft\ttop\tright\tbottom\tscore\tnote\te0\t")
        .endsWith("\te511");
    assertThat(rows).hasSize(1 + 1 + 3 + 1); // header, broken, 3 in the group, penny
    String broken = rows.stream().filter(r -> r.contains("broken.jpg")).findFirst().orElseThrow();
    assertThat(broken.split("\t", -1)[7]).contains("not a supported image");
    String penny = rows.stream().filter(r -> r.contains("penny.png")).findFirst().orElseThrow();
    assertThat(penny.split("\t")).hasSize(8 + 512);

    Run one =
        run(
            "embed",
            "--one-per-image",
            folder.resolve("group.jpg").toString(),
            "--out",
            tsv.toString());
    assertThat(one.exitCode()).isZero();
    assertThat(Files.readAllLines(tsv)).hasSize(2);
  }

  @Test
  void errorsAreOneClearLine() {
    Run r =
        run(
            "identify",
            "--gallery",
            dir.resolve("missing.gallery").toString(),
            tv().resolve("amy/amy1.png").toString());
    assertThat(r.exitCode()).as("bad input").isEqualTo(Cli.BAD_INPUT);
    assertThat(r.err()).contains("gallery file does not exist");
  }

  @Test
  void trainsBothHeadsAndReportsBeforeAndAfter() throws IOException {
    Path projection = dir.resolve("p.head");
    Run p =
        run(
            "train",
            "projection",
            "--from",
            tv().toString(),
            "--out",
            projection.toString(),
            "--dimension",
            "32",
            "--epochs",
            "3");
    assertThat(p.exitCode()).as(p.err()).isZero();
    assertThat(p.out()).contains("projection 512 → 32 written to");
    assertThat(ProjectionHead.load(projection).outputDimension()).isEqualTo(32);
    JsonNode report = new ObjectMapper().readTree(Path.of(projection + ".json").toFile());
    assertThat(report.get("history").size()).isBetween(1, 3);
    assertThat(report.get("projected").get("all_pairs").get("auc").asDouble()).isGreaterThan(0.9);
    assertThat(Files.readString(Path.of(projection + ".html"))).contains("data:image/png;base64,");

    // A pairs file over tv-characters: consecutive images of each person, and across people.
    List<String> lines = new ArrayList<>();
    List<String> people =
        List.of("amy", "bernadette", "howard", "leonard", "penny", "raj", "sheldon", "stuart");
    lines.add("32");
    for (String a : people) {
      for (int i = 1; i <= 4; i++) {
        lines.add(a + "\t" + i + "\t" + (i + 1));
      }
    }
    for (int k = 0; k < people.size(); k++) {
      for (int i = 1; i <= 4; i++) {
        lines.add(people.get(k) + "\t" + i + "\t" + people.get((k + 1) % 8) + "\t" + (i + 1));
      }
    }
    Path pairs = dir.resolve("pairs.txt");
    Files.write(pairs, lines);
    Path logistic = dir.resolve("l.head");
    Run v =
        run(
            "train",
            "verifier",
            "--pairs",
            pairs.toString(),
            "--images",
            tv().toString(),
            "--out",
            logistic.toString());
    assertThat(v.exitCode()).as(v.err()).isZero();
    assertThat(v.out()).contains("test accuracy: cosine");
    JsonNode verifier = new ObjectMapper().readTree(Path.of(logistic + ".json").toFile());
    assertThat(verifier.get("test_pairs").asInt()).isEqualTo(12); // the held-out fifth of 64
    assertThat(verifier.get("logistic_accuracy").asDouble()).isGreaterThan(0.8);
    assertThat(LogisticHead.load(logistic).dimension()).isEqualTo(512);
  }

  @Test
  void helpWorksOnEveryCommandAndSubcommand() {
    List<List<String>> paths = new ArrayList<>();
    collect(Cli.commandLine(false), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(10);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Run r = run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains("Usage:").contains("--help");
    }
    assertThat(run("--help").out()).contains("Exit codes:").contains("3   bad input");
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!name.equals("help")) {
                List<String> deeper = new ArrayList<>(path);
                deeper.add(name);
                collect(sub, deeper, paths);
              }
            });
  }

  @Test
  void theVersionIsThePoms() {
    Run r = run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().trim()).matches("Semblance \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void exitCodesSayWhatWentWrong() {
    Run usage = run("verify", "--no-such-option", "a.png", "b.png");
    assertThat(usage.exitCode()).as("usage").isEqualTo(Cli.USAGE);
    assertThat(usage.err()).contains("--no-such-option");
    Run missing =
        run(
            "verify",
            dir.resolve("nobody.png").toString(),
            tv().resolve("amy/amy1.png").toString());
    assertThat(missing.exitCode()).as("bad input").isEqualTo(Cli.BAD_INPUT);
    assertThat(missing.err()).startsWith("semblance: ").contains("nobody.png");

    CommandLine cli = Cli.commandLine(false);
    cli.addSubcommand("crash", new CommandLine(new Crash()));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("crash")).as("internal error").isEqualTo(Cli.INTERNAL_ERROR);
    assertThat(err.toString()).contains("internal error").contains("a bug");
  }

  @Command(name = "crash")
  static final class Crash implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("a bug");
    }
  }

  @Test
  void enrollAndIdentifyWithAnEncryptedGalleryDirectory() throws IOException {
    Path people = dir.resolve("people");
    for (String name : List.of("sheldon", "penny")) {
      Files.createDirectories(people.resolve(name));
      Files.copy(tv().resolve(name).resolve(name + "1.png"), people.resolve(name).resolve("1.png"));
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path keyFile = dir.resolve("gallery.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
    Path gallery = dir.resolve("cast");
    Run enroll =
        run(
            "enroll",
            "--gallery-dir",
            gallery.toString(),
            "--key-file",
            keyFile.toString(),
            "--from",
            people.toString());
    assertThat(enroll.exitCode()).as(enroll.err()).isZero();
    assertThat(enroll.out()).contains("enrolled 2 identities");

    Run id =
        run(
            "identify",
            "--gallery-dir",
            gallery.toString(),
            "--key-file",
            keyFile.toString(),
            tv().resolve("penny/penny3.png").toString());
    assertThat(id.exitCode()).as(id.err()).isZero();
    assertThat(id.out()).contains("penny");

    Run noKey =
        run(
            "identify",
            "--gallery-dir",
            gallery.toString(),
            tv().resolve("penny/penny3.png").toString());
    assertThat(noKey.exitCode()).isEqualTo(Cli.BAD_INPUT);
    assertThat(noKey.err()).contains("encrypted");
    Files.write(keyFile, new byte[7]);
    Run badKey =
        run(
            "identify",
            "--gallery-dir",
            gallery.toString(),
            "--key-file",
            keyFile.toString(),
            tv().resolve("penny/penny3.png").toString());
    assertThat(badKey.exitCode()).isEqualTo(Cli.BAD_INPUT);
    assertThat(badKey.err()).contains("key file");
  }
}
