package dev.semblance.graph;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.testing.UnitVectors;
import java.nio.file.Path;

/**
 * The child of {@link GraphCrashTest}: enrols p&lt;i&gt; for i = start, start + 1, … into a graph
 * gallery, printing i once each enrolment has returned and "-j" once the removal of p&lt;j&gt; has
 * returned; compacts every 120 enrolments so that kills also land inside compactions. With a third
 * argument it stops there and closes the gallery (which saves its graph).
 */
public final class GraphCrashChild {
  static final int DIM = 32;

  private GraphCrashChild() {}

  public static void main(String[] args) {
    Path directory = Path.of(args[0]);
    long start = Long.parseLong(args[1]);
    long stop = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
    Gallery gallery = GraphGallery.builder(directory).embedder("crash", DIM).openOrCreate();
    for (long i = start; i < stop; i++) {
      gallery.enroll("p" + i, unit(i));
      acknowledge(Long.toString(i));
      if (i % 10 == 0 && i - 5 >= start) {
        gallery.remove("p" + (i - 5));
        acknowledge("-" + (i - 5));
      }
      if (i % 120 == 0 && i > start) {
        gallery.compact();
      }
    }
    gallery.close();
  }

  static Embedding unit(long i) {
    return new UnitVectors(i, DIM).random();
  }

  /** An acknowledgement counts once it has left this process: into the pipe to the parent. */
  private static void acknowledge(String line) {
    System.out.print(line + "\n"); // one write, so a kill cannot leave half a line
    System.out.flush();
  }
}
