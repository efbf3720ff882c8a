package dev.semblance.internal.gallery;

import dev.semblance.internal.vector.Dot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unit-length templates stored row by row in one array, each row tagged with its identity's
 * slot, so that a search is one linear scan. Not thread-safe: the gallery guards it.
 */
public final class TemplateMatrix {
  private final int dimension;
  private float[] rows = new float[0];
  private int[] owner = new int[0];
  private int count;

  public TemplateMatrix(int dimension) {
    this.dimension = dimension;
  }

  public int dimension() {
    return dimension;
  }

  public int rowCount() {
    return count;
  }

  public void append(int slot, float[] unitVector) {
    if (count == owner.length) {
      int capacity = Math.max(16, Math.multiplyExact(owner.length, 2));
      owner = Arrays.copyOf(owner, capacity);
      rows = Arrays.copyOf(rows, Math.multiplyExact(capacity, dimension));
    }
    System.arraycopy(unitVector, 0, rows, count * dimension, dimension);
    owner[count++] = slot;
  }

  /** Removes every row of {@code slot}, keeping the order of the others. */
  public void removeSlot(int slot) {
    int kept = 0;
    for (int r = 0; r < count; r++) {
      if (owner[r] != slot) {
        if (kept != r) {
          System.arraycopy(rows, r * dimension, rows, kept * dimension, dimension);
          owner[kept] = owner[r];
        }
        kept++;
      }
    }
    // Erase the freed tail so no template of a removed person lingers in memory.
    Arrays.fill(rows, kept * dimension, count * dimension, 0f);
    count = kept;
  }

  /** The rows of {@code slot}, copied. */
  public List<float[]> rowsOf(int slot) {
    List<float[]> result = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      if (owner[r] == slot) {
        result.add(Arrays.copyOfRange(rows, r * dimension, (r + 1) * dimension));
      }
    }
    return result;
  }

  /**
   * For each slot below {@code slots}, the highest dot product between {@code probe} and any of
   * its rows; {@code -Infinity} for slots without rows.
   */
  public float[] bestPerSlot(float[] probe, int slots) {
    float[] best = new float[slots];
    Arrays.fill(best, Float.NEGATIVE_INFINITY);
    for (int r = 0; r < count; r++) {
      float dot = Dot.dot(probe, 0, rows, r * dimension, dimension);
      int s = owner[r];
      if (dot > best[s]) {
        best[s] = dot;
      }
    }
    return best;
  }

  /** The highest dot product between {@code probe} and a row of {@code slot}. */
  public float bestOfSlot(float[] probe, int slot) {
    float best = Float.NEGATIVE_INFINITY;
    for (int r = 0; r < count; r++) {
      if (owner[r] == slot) {
        best = Math.max(best, Dot.dot(probe, 0, rows, r * dimension, dimension));
      }
    }
    return best;
  }

}
