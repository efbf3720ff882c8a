package dev.semblance.examples;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on stderr: redrawn in place on a terminal, every 10% otherwise. */
final class Progress {
  private static final int WIDTH = 30;
  private final PrintStream out = System.err;
  private final String label;
  private final long total;
  private final boolean terminal = System.console() != null;
  private final long start = System.nanoTime();
  private long done;
  private int lastDecile = -1;

  Progress(String label, long total) {
    this.label = label;
    this.total = Math.max(1, total);
  }

  void step(String item) {
    done++;
    double fraction = (double) done / total;
    double seconds = (System.nanoTime() - start) / 1e9;
    double eta = done == 0 ? 0 : seconds / done * (total - done);
    int filled = (int) Math.round(fraction * WIDTH);
    String line =
        String.format(
            Locale.ROOT,
            "%s [%s%s] %d/%d %3.0f%% %.0fs left %s",
            label,
            "=".repeat(filled),
            " ".repeat(WIDTH - filled),
            done,
            total,
            fraction * 100,
            eta,
            item.length() > 40 ? "…" + item.substring(item.length() - 39) : item);
    if (terminal) {
      out.print("\r" + line + "\u001b[K");
      if (done == total) {
        out.println();
      }
    } else {
      int decile = (int) (fraction * 10);
      if (decile != lastDecile || done == total) {
        lastDecile = decile;
        out.println(line);
      }
    }
  }
}
