package dev.semblance.spark;

import dev.semblance.Encoder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Encoder} per executor JVM and set of options, created on first use and shared by the
 * executor's task threads (an encoder is safe for concurrent use): the models load once per JVM,
 * not once per task. Encoders live until the JVM ends.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class ExecutorEncoders {
  private static final Logger log = LoggerFactory.getLogger(ExecutorEncoders.class);
  private static final Map<EncodeOptions, Encoder> ENCODERS = new ConcurrentHashMap<>();

  private ExecutorEncoders() {}

  static Encoder get(EncodeOptions options) {
    return ENCODERS.computeIfAbsent(
        options,
        o -> {
          Encoder encoder = o.newEncoder();
          log.info("encoder {} loaded in this executor for {}", encoder.embedderId(), o);
          return encoder;
        });
  }
}
