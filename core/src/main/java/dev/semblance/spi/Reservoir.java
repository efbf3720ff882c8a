package dev.semblance.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Uniform sampling without replacement of templates read once, in any number (Vitter's algorithm
 * R): the same seed over the same sequence draws the same ones. {@link TemplateStore#sample}'s
 * default, and the gallery's in memory.
 *
 * <p>Thread safety: stateless.
 */
public final class Reservoir {
  private Reservoir() {}

  /** Up to {@code count} of the templates that {@code forEach} hands out, with their identities. */
  public static List<Map.Entry<String, float[]>> sample(
      Consumer<BiConsumer<String, List<float[]>>> forEach, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Map.Entry<String, float[]>> kept = new ArrayList<>(count);
    long[] seen = {0};
    forEach.accept(
        (identity, rows) -> {
          for (float[] row : rows) {
            long i = seen[0]++;
            if (i < count) {
              kept.add(Map.entry(identity, row));
            } else {
              long j = random.nextLong(i + 1);
              if (j < count) {
                kept.set((int) j, Map.entry(identity, row));
              }
            }
          }
        });
    return kept;
  }
}
