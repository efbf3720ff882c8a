package dev.semblance.internal.image;

/**
 * Bilinear resampling of an {@link RgbImage} through an affine map from output to source
 * coordinates, in OpenCV's conventions (the models were trained on OpenCV images).
 */
public final class Resampler {
  private Resampler() {}

  /**
   * Samples an {@code outW × outH} RGB image whose pixel (u, v) comes from source point {@code (a·u
   * + b·v + c, d·u + e·v + f)}. Outside the source, edge pixels are repeated when {@code
   * clampToEdge}, else the sample is black.
   *
   * @return interleaved R, G, B values in 0..255
   */
  public static float[] affine(
      RgbImage src,
      double a,
      double b,
      double c,
      double d,
      double e,
      double f,
      int outW,
      int outH,
      boolean clampToEdge) {
    float[] out = new float[outW * outH * 3];
    int w = src.width();
    int h = src.height();
    byte[] px = src.rgb();
    for (int v = 0; v < outH; v++) {
      for (int u = 0; u < outW; u++) {
        double x = a * u + b * v + c;
        double y = d * u + e * v + f;
        int o = (v * outW + u) * 3;
        if (clampToEdge) {
          x = Math.min(Math.max(x, 0), w - 1);
          y = Math.min(Math.max(y, 0), h - 1);
        } else if (x <= -1 || y <= -1 || x >= w || y >= h) {
          continue; // black
        }
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        float fx = (float) (x - x0);
        float fy = (float) (y - y0);
        for (int ch = 0; ch < 3; ch++) {
          float p00 = at(px, w, h, x0, y0, ch);
          float p10 = at(px, w, h, x0 + 1, y0, ch);
          float p01 = at(px, w, h, x0, y0 + 1, ch);
          float p11 = at(px, w, h, x0 + 1, y0 + 1, ch);
          float top = p00 + (p10 - p00) * fx;
          float bottom = p01 + (p11 - p01) * fx;
          out[o + ch] = top + (bottom - top) * fy;
        }
      }
    }
    return out;
  }

  /**
   * Resizes the region {@code [x0, x0 + w) × [y0, y0 + h)} of the source to {@code outW × outH},
   * aligning pixel centres as {@code cv2.resize} does.
   */
  public static float[] resize(
      RgbImage src,
      double x0,
      double y0,
      double w,
      double h,
      int outW,
      int outH,
      boolean clampToEdge) {
    // Axis-aligned, so separable: each output column and row has two fixed taps and weights.
    Taps cols = Taps.of(outW, w / outW, x0, src.width(), clampToEdge);
    Taps rows = Taps.of(outH, h / outH, y0, src.height(), clampToEdge);
    byte[] px = src.rgb();
    int stride = src.width() * 3;
    float[] out = new float[outW * outH * 3];
    for (int v = 0; v < outH; v++) {
      int r0 = rows.first[v] * stride;
      int r1 = rows.second[v] * stride;
      float wy0 = rows.firstWeight[v];
      float wy1 = rows.secondWeight[v];
      int o = v * outW * 3;
      for (int u = 0; u < outW; u++) {
        int c0 = cols.first[u] * 3;
        int c1 = cols.second[u] * 3;
        float wx0 = cols.firstWeight[u];
        float wx1 = cols.secondWeight[u];
        for (int ch = 0; ch < 3; ch++) {
          float top = wx0 * (px[r0 + c0 + ch] & 0xFF) + wx1 * (px[r0 + c1 + ch] & 0xFF);
          float bottom = wx0 * (px[r1 + c0 + ch] & 0xFF) + wx1 * (px[r1 + c1 + ch] & 0xFF);
          out[o++] = wy0 * top + wy1 * bottom;
        }
      }
    }
    return out;
  }

  /** The two source taps of each output position along one axis; taps outside weigh 0. */
  private record Taps(int[] first, int[] second, float[] firstWeight, float[] secondWeight) {
    static Taps of(int n, double scale, double origin, int size, boolean clampToEdge) {
      Taps t = new Taps(new int[n], new int[n], new float[n], new float[n]);
      for (int i = 0; i < n; i++) {
        double x = origin + (i + 0.5) * scale - 0.5; // cv2.resize's pixel-centre alignment
        if (clampToEdge) {
          x = Math.min(Math.max(x, 0), size - 1);
        }
        int x0 = (int) Math.floor(x);
        float f = (float) (x - x0);
        t.set(i, true, x0, 1 - f, size);
        t.set(i, false, x0 + 1, f, size);
      }
      return t;
    }

    private void set(int i, boolean isFirst, int index, float weight, int size) {
      boolean inside = index >= 0 && index < size;
      (isFirst ? first : second)[i] = inside ? index : 0;
      (isFirst ? firstWeight : secondWeight)[i] = inside ? weight : 0f;
    }
  }

  private static float at(byte[] px, int w, int h, int x, int y, int ch) {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      return 0f;
    }
    return px[(y * w + x) * 3 + ch] & 0xFF;
  }
}
