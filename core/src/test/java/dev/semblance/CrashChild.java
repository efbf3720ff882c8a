package dev.semblance;

import java.nio.file.Path;

/**
 * The child of {@link CrashTest}: enrols p&lt;i&gt; for i = start, start + 1, … into a gallery
 * directory until it is killed, printing i once each enrolment has returned (acknowledged, so
 * durable), and "-j" once the removal of p&lt;j&gt; has returned; compacts every 150 enrolments so
 * that kills also land inside compactions.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) {
    Path directory = Path.of(args[0]);
    long start = Long.parseLong(args[1]);
    Durability durability = Durability.valueOf(args[2]);
    Gallery gallery =
        Gallery.directory(directory)
            .embedder("test", DurableGalleryTest.DIM_FOR_CHILD)
            .durability(durability)
            .open();
    for (long i = start; ; i++) {
      gallery.enroll("p" + i, DurableGalleryTest.unit(i));
      acknowledge(Long.toString(i));
      if (i % 10 == 0 && i - 5 >= start) {
        gallery.remove("p" + (i - 5));
        acknowledge("-" + (i - 5));
      }
      if (i % 150 == 0) {
        gallery.compact();
      }
    }
  }

  /** An acknowledgement counts once it has left this process: into the pipe to the parent. */
  private static void acknowledge(String line) {
    System.out.print(line + "\n"); // one write, so a kill cannot leave half a line
    System.out.flush();
  }
}
