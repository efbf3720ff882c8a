package dev.semblance.client;

import java.util.List;

/**
 * The service refused a call: its HTTP status, the API's stable error {@link #code()} (branch on
 * it, e.g. {@code busy}, {@code face_rejected}, {@code subject_not_found}), the message, the
 * reasons of a refused face, and for 429 and 503 how long to wait before trying again.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class SemblanceApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final List<String> reasons;
  private final long retryAfterSeconds;

  SemblanceApiException(
      int status, String code, String message, List<String> reasons, long retryAfterSeconds) {
    super(status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
    this.reasons = List.copyOf(reasons);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The HTTP status, e.g. 503. */
  public int status() {
    return status;
  }

  /** The API's error code, e.g. {@code busy}; {@code http_NNN} for an answer that is not one. */
  public String code() {
    return code;
  }

  /** Why a face was refused ({@code face_rejected}); empty otherwise. */
  public List<String> reasons() {
    return reasons;
  }

  /** Seconds to wait before retrying (429, 503), or -1 when the server did not say. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Whether the same call may succeed later: the server was busy, stopping or rate-limiting. */
  public boolean isRetryable() {
    return status == 429 || status == 503;
  }
}
