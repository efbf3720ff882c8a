package dev.semblance;

import java.util.Set;

/**
 * Hears what an {@link Encoder} and a {@link Gallery} do, so that an application can count and time
 * it: give one to {@link Encoder.Builder#telemetry} and {@link Gallery#setTelemetry}. The Spring
 * Boot starter turns these calls into Micrometer meters. Every method does nothing unless
 * overridden.
 *
 * <p>Each call comes on the thread that made the reported call, after that call finished; an
 * implementation must be quick and must not throw (what it throws is logged and dropped, never
 * passed to the caller).
 *
 * <p><b>Thread safety.</b> Implementations must be safe for concurrent use: every thread that
 * encodes or identifies calls them.
 */
public interface Telemetry {
  /** Hears nothing. */
  Telemetry NONE = new Telemetry() {};

  /**
   * One image was encoded and {@code faces} faces found in it. Each image of a batch (such as
   * {@link Encoder#encodeAll(List)}) is reported with its share of the batch's time.
   */
  default void imageEncoded(int faces, long nanos) {}

  /** One call identified {@code probes} probes in {@code nanos} nanoseconds. */
  default void identified(int probes, long nanos) {}

  /**
   * {@link Gallery#enroll(String, java.util.List, QualityPolicy)} refused an enrolment; {@code
   * rules} are the rules its faces broke, each once.
   */
  default void enrolmentRefused(Set<QualityPolicy.Rule> rules) {}
}
