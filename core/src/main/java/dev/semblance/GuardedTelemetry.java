package dev.semblance;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Telemetry} whose failures are logged and dropped: counting a call must never fail it.
 *
 * <p><b>Thread safety.</b> As safe as the telemetry it guards.
 */
final class GuardedTelemetry implements Telemetry {
  private static final Logger log = LoggerFactory.getLogger(GuardedTelemetry.class);
  private final Telemetry telemetry;

  private GuardedTelemetry(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  static Telemetry of(Telemetry telemetry) {
    return telemetry == NONE || telemetry instanceof GuardedTelemetry
        ? telemetry
        : new GuardedTelemetry(telemetry);
  }

  @Override
  public void imageEncoded(int faces, long nanos) {
    try {
      telemetry.imageEncoded(faces, nanos);
    } catch (RuntimeException e) {
      log.warn("telemetry failed to count an encoded image; ignored", e);
    }
  }

  @Override
  public void identified(int probes, long nanos) {
    try {
      telemetry.identified(probes, nanos);
    } catch (RuntimeException e) {
      log.warn("telemetry failed to count an identification; ignored", e);
    }
  }

  @Override
  public void enrolmentRefused(Set<QualityPolicy.Rule> rules) {
    try {
      telemetry.enrolmentRefused(rules);
    } catch (RuntimeException e) {
      log.warn("telemetry failed to count a refused enrolment; ignored", e);
    }
  }
}
