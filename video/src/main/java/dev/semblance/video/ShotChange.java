package dev.semblance.video;

import dev.semblance.RgbFrame;

/**
 * Tells hard cuts from motion: the frame is cut into a grid of blocks, and a cut is a frame where
 * most blocks' mean brightness changed at once. Faces walking, or a camera drifting, change the
 * blocks they cover; a cut changes nearly all of them.
 *
 * <p>Not thread-safe: one per video.
 */
final class ShotChange {
  private static final int COLUMNS = 32;
  private static final int ROWS = 18;

  /** Grey levels a block's mean must move by to count as changed. */
  private static final float BLOCK_CHANGE = 12f;

  /** Pixels sampled per block side: every 4th is enough for a mean. */
  private static final int STRIDE = 4;

  private final float threshold;
  private float[] previous;

  /**
   * @param threshold the share of blocks that must change together for a cut, in (0, 1]
   */
  ShotChange(float threshold) {
    this.threshold = threshold;
  }

  /** Whether {@code frame} begins a new shot; the first frame does not. */
  boolean isCut(RgbFrame frame) {
    float score = score(frame);
    return score >= threshold;
  }

  /** The share of blocks whose brightness changed since the previous frame, in [0, 1]. */
  float score(RgbFrame frame) {
    float[] blocks = blocks(frame);
    float[] before = previous;
    previous = blocks;
    if (before == null) {
      return 0;
    }
    int changed = 0;
    for (int i = 0; i < blocks.length; i++) {
      if (Math.abs(blocks[i] - before[i]) > BLOCK_CHANGE) {
        changed++;
      }
    }
    return changed / (float) blocks.length;
  }

  private static float[] blocks(RgbFrame frame) {
    int w = frame.width();
    int h = frame.height();
    byte[] rgb = frame.rgb();
    float[] sum = new float[COLUMNS * ROWS];
    int[] count = new int[COLUMNS * ROWS];
    for (int y = 0; y < h; y += STRIDE) {
      int row = Math.min(ROWS - 1, y * ROWS / h) * COLUMNS;
      for (int x = 0; x < w; x += STRIDE) {
        int p = 3 * (y * w + x);
        // Rec. 601 luma, in integers.
        int luma =
            (299 * (rgb[p] & 0xff) + 587 * (rgb[p + 1] & 0xff) + 114 * (rgb[p + 2] & 0xff)) / 1000;
        int b = row + Math.min(COLUMNS - 1, x * COLUMNS / w);
        sum[b] += luma;
        count[b]++;
      }
    }
    for (int b = 0; b < sum.length; b++) {
      sum[b] = count[b] == 0 ? 0 : sum[b] / count[b];
    }
    return sum;
  }
}
