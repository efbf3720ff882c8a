package dev.semblance.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.semblance.ModelException;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One ONNX Runtime session with a single float input, run where {@link InferenceThread} says. Safe
 * for concurrent {@link #run}.
 */
final class OnnxSession implements ModelSession {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String description;
  private final String inputName;
  private final long[] inputShape;
  private final int maxBatch;

  OnnxSession(OrtEnvironment env, OrtSession session, String description, int maxBatch)
      throws OrtException {
    this.env = env;
    this.session = session;
    this.description = description;
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (inputs.size() != 1
        || !(inputs.values().iterator().next().getInfo() instanceof TensorInfo info)) {
      session.close();
      throw new ModelException(
          description + " must have exactly one tensor input, has " + inputs.keySet());
    }
    this.inputName = inputs.keySet().iterator().next();
    this.inputShape = info.getShape();
    this.maxBatch =
        maxBatch > 0
            ? maxBatch
            : (inputShape.length > 0 && inputShape[0] < 0 ? Integer.MAX_VALUE : 1);
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public Map<String, Tensor> run(Tensor input) {
    return InferenceThread.run(() -> runHere(input));
  }

  private Map<String, Tensor> runHere(Tensor input) {
    try (OnnxTensor tensor =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      Map<String, Tensor> outputs = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxValue> e : result) {
        if (!(e.getValue() instanceof OnnxTensor out)) {
          throw new ModelException(description + " output " + e.getKey() + " is not a tensor");
        }
        FloatBuffer fb = out.getFloatBuffer();
        if (fb == null) {
          throw new ModelException(description + " output " + e.getKey() + " is not float32");
        }
        float[] data = new float[fb.remaining()];
        fb.get(data);
        outputs.put(e.getKey(), new Tensor(data, out.getInfo().getShape()));
      }
      return outputs;
    } catch (OrtException e) {
      throw new ModelException(
          "ONNX Runtime failed on "
              + description
              + " with input "
              + Arrays.toString(input.shape())
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Runs two random inputs as one batch and singly; the rows must agree closely. */
  boolean batchesMatchSingles() {
    long[] one = inputShape.clone();
    one[0] = 1;
    int per = Math.toIntExact(Arrays.stream(one).reduce(1, (a, b) -> a * b));
    Random random = new Random(42);
    float[] both = new float[2 * per];
    for (int i = 0; i < both.length; i++) {
      both[i] = random.nextFloat() * 2 - 1;
    }
    long[] two = one.clone();
    two[0] = 2;
    try {
      float[] batched = single(run(new Tensor(both, two)));
      float[] a = single(run(new Tensor(Arrays.copyOfRange(both, 0, per), one)));
      float[] b = single(run(new Tensor(Arrays.copyOfRange(both, per, 2 * per), one)));
      if (batched.length != a.length + b.length) {
        return false;
      }
      for (int i = 0; i < a.length; i++) {
        if (Math.abs(batched[i] - a[i]) > 1e-4f || Math.abs(batched[a.length + i] - b[i]) > 1e-4f) {
          return false;
        }
      }
      return true;
    } catch (ModelException e) {
      return false;
    }
  }

  private static float[] single(Map<String, Tensor> outputs) {
    return outputs.size() == 1 ? outputs.values().iterator().next().data() : new float[0];
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new ModelException(
          "ONNX Runtime failed to close " + description + ": " + e.getMessage(), e);
    }
  }
}
