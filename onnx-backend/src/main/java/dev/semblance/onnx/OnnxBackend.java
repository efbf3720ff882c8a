package dev.semblance.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.semblance.ModelException;
import dev.semblance.spi.InferenceBackend;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.SessionOptions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs models on ONNX Runtime's CPU execution provider. Registered through {@link
 * java.util.ServiceLoader}; applications do not use this class directly.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use; sessions are too.
 */
public final class OnnxBackend implements InferenceBackend {
  private static final Logger log = LoggerFactory.getLogger(OnnxBackend.class);

  @Override
  public String name() {
    return "onnxruntime";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public ModelSession load(byte[] model, String description, SessionOptions options) {
    OrtEnvironment env;
    try {
      env = OrtEnvironment.getEnvironment();
    } catch (RuntimeException | LinkageError e) {
      throw new ModelException(
          "ONNX Runtime's native library could not be loaded on this platform: " + e, e);
    }
    if (options.freeBatchDimension()) {
      Optional<byte[]> batched = FreeBatchRewrite.apply(model);
      if (batched.isPresent()) {
        OnnxSession session = open(env, batched.get(), description, options, Integer.MAX_VALUE);
        if (session.batchesMatchSingles()) {
          log.debug("{}: batch dimension freed", description);
          return session;
        }
        session.close();
        log.warn(
            "{}: batched outputs differ from single ones; running one face at a time", description);
      } else {
        log.debug("{}: batch dimension left as the model declares it", description);
      }
    }
    return open(env, model, description, options, -1);
  }

  private static OnnxSession open(
      OrtEnvironment env, byte[] model, String description, SessionOptions options, int maxBatch) {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      so.addConfigEntry("session.set_denormal_as_zero", "1");
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      if (options.threads() > 0) {
        so.setIntraOpNumThreads(options.threads());
      }
      // Created where it will run: see InferenceThread.
      OrtSession session = InferenceThread.call(() -> env.createSession(model, so));
      return new OnnxSession(env, session, description, maxBatch);
    } catch (OrtException e) {
      throw new ModelException(
          "ONNX Runtime cannot load " + description + ": " + e.getMessage(), e);
    }
  }
}
