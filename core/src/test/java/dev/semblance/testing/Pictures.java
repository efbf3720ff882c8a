package dev.semblance.testing;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.Arrays;

/** Real photos made worse in known ways, for tests of quality measures. */
public final class Pictures {
  private Pictures() {}

  /** The image resized by {@code factor}, bilinear. */
  public static BufferedImage scaled(BufferedImage image, double factor) {
    int w = Math.max(1, (int) Math.round(image.getWidth() * factor));
    int h = Math.max(1, (int) Math.round(image.getHeight() * factor));
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  /** {@code passes} 5×5 box blurs. */
  public static BufferedImage blurred(BufferedImage image, int passes) {
    float[] box = new float[25];
    Arrays.fill(box, 1 / 25f);
    ConvolveOp op = new ConvolveOp(new Kernel(5, 5, box), ConvolveOp.EDGE_NO_OP, null);
    BufferedImage out = scaled(image, 1);
    for (int i = 0; i < passes; i++) {
      out = op.filter(out, null);
    }
    return out;
  }

  /** The image mirrored left to right. */
  public static BufferedImage mirrored(BufferedImage image) {
    AffineTransform flip = AffineTransform.getScaleInstance(-1, 1);
    flip.translate(-image.getWidth(), 0);
    return new AffineTransformOp(flip, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(image, null);
  }
}
