package dev.semblance.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a test needs from the machine: the shared data set ({@code data}) or headless Chromium
 * ({@code browser}). A test whose need is missing is skipped with a message, unless the system
 * property {@code semblance.require} names the need ({@code -Dsemblance.require=data,browser}, as
 * CI runs): then it fails, so that a machine without the data cannot pass by skipping.
 */
public final class Required {
  private Required() {}

  /** The shared LFW and tv-characters data. */
  public static final String DATA = "data";

  /** Headless Chromium at {@code /usr/bin/chromium}. */
  public static final String BROWSER = "browser";

  /**
   * Returns when {@code present}; else skips the test, or fails it when the need is required.
   *
   * @param missing what is missing and how to get it, for the message
   */
  public static void check(String need, boolean present, String missing) {
    if (present) {
      return;
    }
    if (required().contains(need)) {
      fail(missing + " (-Dsemblance.require=" + System.getProperty("semblance.require") + ")");
    }
    assumeTrue(false, "skipped: " + missing);
  }

  private static Set<String> required() {
    return Arrays.stream(System.getProperty("semblance.require", "").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }
}
