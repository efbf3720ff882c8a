package dev.semblance.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared test data ({@code ../shared/data}, or the system property {@code semblance.data});
 * tests that need it are skipped with a message when it is absent, or fail where it is {@linkplain
 * Required required}.
 */
public final class TestData {
  private TestData() {}

  public static Path root() {
    Path root = Path.of(System.getProperty("semblance.data", "../../shared/data"));
    Required.check(
        Required.DATA,
        Files.isDirectory(root),
        "test data not found at " + root.toAbsolutePath() + " (set -Dsemblance.data)");
    return root;
  }

  public static Path dir(String relative) {
    Path dir = root().resolve(relative);
    Required.check(
        Required.DATA, Files.isDirectory(dir), "test data folder missing: " + dir.toAbsolutePath());
    return dir;
  }
}
