package dev.semblance.spi;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order.
 *
 * <p><b>Thread safety.</b> The record does not copy its array: treat a tensor as immutable once it
 * has been handed over.
 *
 * @param data the values, {@code product(shape)} of them
 * @param shape the dimensions, outermost first
 */
public record Tensor(float[] data, long[] shape) {
  public Tensor {
    long size = 1;
    for (long d : shape) {
      checkArgument(d >= 0, "negative dimension in shape %s", Arrays.toString(shape));
      size *= d;
    }
    checkArgument(
        size == data.length,
        "shape %s needs %s values but %s were given",
        Arrays.toString(shape),
        size,
        data.length);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
