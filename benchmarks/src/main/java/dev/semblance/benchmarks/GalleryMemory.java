package dev.semblance.benchmarks;

import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.TemplateStorage;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Heap bytes per enrolled identity (one template each, names like {@code id-123456}) for each
 * storage and dimension, measured as the live heap after a full collection before and after
 * enrolment.
 *
 * <pre>java -Xmx8g -cp benchmarks/target/benchmarks.jar dev.semblance.benchmarks.GalleryMemory [N]
 * </pre>
 */
public final class GalleryMemory {
  private GalleryMemory() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    System.out.printf(
        Locale.ROOT,
        "%-8s %5s %12s %12s %10s%n",
        "storage",
        "d",
        "bytes/id",
        "raw float32",
        "overhead");
    for (int dimension : new int[] {128, 512}) {
      for (TemplateStorage storage : TemplateStorage.values()) {
        long before = liveHeap();
        Gallery gallery =
            Gallery.create("memory", dimension, GalleryOptions.defaults().withStorage(storage));
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
          gallery.enroll("id-" + i, RandomVectors.unit(random, dimension));
        }
        double perIdentity = (liveHeap() - before) / (double) n;
        int raw = 4 * dimension;
        System.out.printf(
            Locale.ROOT,
            "%-8s %5d %12.1f %12d %9.1f%%%n",
            storage,
            dimension,
            perIdentity,
            raw,
            100 * (perIdentity - raw) / raw);
        if (gallery.size() != n) {
          throw new AssertionError("gallery lost identities");
        }
      }
    }
  }

  private static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
