package dev.semblance.internal.pipeline;

import dev.semblance.ModelException;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a model over many inputs, several per call where the graph allows a free batch. */
final class Batches {
  private Batches() {}

  /**
   * Every input's outputs, in order.
   *
   * @param inputs each one {@code channels × height × width} values
   * @param maxBatch most inputs in one call
   */
  static List<Map<String, Tensor>> run(
      ModelSession session,
      List<float[]> inputs,
      int channels,
      int height,
      int width,
      int maxBatch) {
    int per = channels * height * width;
    int batch = Math.max(1, Math.min(maxBatch, session.maxBatch()));
    List<Map<String, Tensor>> result = new ArrayList<>(inputs.size());
    for (int start = 0; start < inputs.size(); start += batch) {
      int n = Math.min(batch, inputs.size() - start);
      float[] data = new float[n * per];
      for (int i = 0; i < n; i++) {
        System.arraycopy(inputs.get(start + i), 0, data, i * per, per);
      }
      Map<String, Tensor> out =
          session.run(new Tensor(data, new long[] {n, channels, height, width}));
      for (int i = 0; i < n; i++) {
        Map<String, Tensor> row = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
          float[] all = e.getValue().data();
          int size = all.length / n;
          long[] shape = e.getValue().shape().clone();
          if (shape.length > 0) {
            shape[0] = 1;
          }
          row.put(e.getKey(), new Tensor(Arrays.copyOfRange(all, i * size, (i + 1) * size), shape));
        }
        result.add(row);
      }
    }
    return result;
  }

  /** The only output of a one-output model. */
  static float[] single(Map<String, Tensor> outputs, String model) {
    if (outputs.size() != 1) {
      throw new ModelException(model + " model: expected one output, got " + outputs.keySet());
    }
    return outputs.values().iterator().next().data();
  }
}
