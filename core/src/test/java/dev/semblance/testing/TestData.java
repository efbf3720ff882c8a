package dev.semblance.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared test data ({@code ../shared/data}, or the system property {@code semblance.data});
 * tests that need it are skipped with a message when it is absent.
 */
public final class TestData {
  private TestData() {}

  public static Path root() {
    Path root = Path.of(System.getProperty("semblance.data", "../../shared/data"));
    assumeTrue(
        Files.isDirectory(root),
        "skipped: test data not found at " + root.toAbsolutePath() + " (set -Dsemblance.data)");
    return root;
  }

  public static Path dir(String relative) {
    Path dir = root().resolve(relative);
    assumeTrue(
        Files.isDirectory(dir), "skipped: test data folder missing: " + dir.toAbsolutePath());
    return dir;
  }
}
