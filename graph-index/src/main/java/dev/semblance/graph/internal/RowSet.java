package dev.semblance.graph.internal;

import java.util.Arrays;

/**
 * A set of row numbers for one search: open addressing (Fibonacci hashing, linear probing) in an
 * array that doubles when half full.
 *
 * <p>Thread safety: not thread-safe.
 */
final class RowSet {
  private int[] slots;
  private int shift;
  private int size;

  /** A set that holds {@code expected} rows before it grows. */
  RowSet(int expected) {
    allocate(Integer.highestOneBit(Math.max(8, expected) - 1) << 2);
  }

  /** Adds a row (0 or more); true if it was not in the set. */
  boolean add(int row) {
    if (2 * (size + 1) > slots.length) {
      int[] old = slots;
      allocate(old.length * 2);
      for (int r : old) {
        if (r >= 0) {
          add(r);
        }
      }
    }
    int mask = slots.length - 1;
    for (int i = (row * 0x9E3779B9) >>> shift; ; i = (i + 1) & mask) {
      if (slots[i] == row) {
        return false;
      }
      if (slots[i] < 0) {
        slots[i] = row;
        size++;
        return true;
      }
    }
  }

  private void allocate(int length) {
    slots = new int[length];
    Arrays.fill(slots, -1);
    shift = Integer.numberOfLeadingZeros(length - 1);
    size = 0;
  }
}
