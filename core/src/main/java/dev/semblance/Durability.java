package dev.semblance;

/**
 * When an enrolment or removal of a gallery {@linkplain Gallery#directory opened from a directory}
 * is on disk. The first two are durable: the call returns only after its log record has been forced
 * to the storage device.
 */
public enum Durability {
  /** Each operation forces the log before it returns: simplest, one sync per call. */
  EVERY_OPERATION,
  /** Concurrent operations share one sync: each still returns only once its record is on disk. */
  GROUP_COMMIT,
  /** Written to the operating system only: fast, but a power loss may lose recent operations. */
  NONE
}
