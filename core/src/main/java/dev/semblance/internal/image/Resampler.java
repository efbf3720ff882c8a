package dev.semblance.internal.image;

/**
 * Bilinear resampling of an {@link RgbImage} through an affine map from output to source
 * coordinates, in OpenCV's conventions (the models were trained on OpenCV images).
 */
public final class Resampler {
  private Resampler() {}

  /**
   * Samples an {@code outW × outH} RGB image whose pixel (u, v) comes from source point
   * {@code (a·u + b·v + c, d·u + e·v + f)}. Outside the source, edge pixels are repeated when
   * {@code clampToEdge}, else the sample is black.
   *
   * @return interleaved R, G, B values in 0..255
   */
  public static float[] affine(
      RgbImage src, double a, double b, double c, double d, double e, double f,
      int outW, int outH, boolean clampToEdge) {
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
      RgbImage src, double x0, double y0, double w, double h, int outW, int outH,
      boolean clampToEdge) {
    double sx = w / outW;
    double sy = h / outH;
    return affine(src, sx, 0, x0 + 0.5 * sx - 0.5, 0, sy, y0 + 0.5 * sy - 0.5, outW, outH,
        clampToEdge);
  }

  private static float at(byte[] px, int w, int h, int x, int y, int ch) {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      return 0f;
    }
    return px[(y * w + x) * 3 + ch] & 0xFF;
  }
}
