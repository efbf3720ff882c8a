package dev.semblance.spring;

import dev.semblance.Gallery;
import dev.semblance.QualityPolicy;
import dev.semblance.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Semblance's meters: {@code semblance.encode} (time per image) and {@code semblance.encode.faces}
 * (faces found per image), {@code semblance.identify} (time per probe), {@code
 * semblance.enrolment.refused} (by {@code rule}), and the gallery's {@code
 * semblance.gallery.subjects} and {@code semblance.gallery.faces}, named as the service's {@code
 * /metrics} names them. The encoder reports to it from the start; the gallery bean, whichever made
 * it, is attached when Spring binds the meters. Until then calls are not counted.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use; binding publishes the meters at once.
 */
final class MicrometerTelemetry implements Telemetry, MeterBinder {
  private final ObjectProvider<Gallery> gallery;
  private volatile Meters meters;

  private record Meters(
      Timer encode,
      DistributionSummary faces,
      Timer identify,
      Map<QualityPolicy.Rule, Counter> refused) {}

  MicrometerTelemetry(ObjectProvider<Gallery> gallery) {
    this.gallery = gallery;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Map<QualityPolicy.Rule, Counter> refused = new EnumMap<>(QualityPolicy.Rule.class);
    for (QualityPolicy.Rule rule : QualityPolicy.Rule.values()) {
      refused.put(
          rule,
          Counter.builder("semblance.enrolment.refused")
              .description("enrolments refused by the quality policy, by the rule broken")
              .tag("rule", rule.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    meters =
        new Meters(
            Timer.builder("semblance.encode")
                .description("time to find and encode the faces of one image")
                .register(registry),
            DistributionSummary.builder("semblance.encode.faces")
                .description("faces found in each encoded image")
                .baseUnit("faces")
                .register(registry),
            Timer.builder("semblance.identify")
                .description("time to identify one probe in the gallery")
                .register(registry),
            refused);
    Gallery enrolled = gallery.getIfAvailable();
    if (enrolled != null) {
      Gauge.builder("semblance.gallery.subjects", enrolled, Gallery::size)
          .description("people enrolled")
          .register(registry);
      Gauge.builder("semblance.gallery.faces", enrolled, Gallery::templateCount)
          .description("templates enrolled")
          .register(registry);
      enrolled.setTelemetry(this);
    }
  }

  @Override
  public void imageEncoded(int faces, long nanos) {
    Meters m = meters;
    if (m != null) {
      m.encode().record(nanos, TimeUnit.NANOSECONDS);
      m.faces().record(faces);
    }
  }

  @Override
  public void identified(int probes, long nanos) {
    Meters m = meters;
    if (m != null) {
      long share = nanos / probes;
      for (int i = 0; i < probes; i++) {
        m.identify().record(share, TimeUnit.NANOSECONDS);
      }
    }
  }

  @Override
  public void enrolmentRefused(Set<QualityPolicy.Rule> rules) {
    Meters m = meters;
    if (m != null) {
      rules.forEach(rule -> m.refused().get(rule).increment());
    }
  }
}
