package dev.semblance.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.Required;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Checks a self-contained HTML page in a real headless browser. */
final class Chromium {
  private Chromium() {}

  /**
   * Opens a page in headless Chromium: it must print no console message, render to a non-blank
   * screenshot, and its DOM after load must contain {@code marker}. Skips without Chromium, or
   * fails where it is required.
   */
  static void assertRenders(Path html, Path dir, String marker) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Required.check(
        Required.BROWSER,
        Files.isExecutable(chromium),
        "Chromium not installed (apt-get install chromium)");
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
            dir,
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
            dir,
            flags,
            "--user-data-dir=" + dir.resolve("profile2"),
            "--virtual-time-budget=5000",
            "--dump-dom",
            page);
    assertThat(dom.out()).contains(marker);
  }

  private record Run(String out, String err) {}

  private static Run chromium(Path dir, List<String> flags, String... more) throws Exception {
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
