package dev.semblance.server.internal;

import java.util.List;

/**
 * A refusal the client can act on: an HTTP status, a stable code to branch on, a message for
 * people, and for some codes the reasons (a refused face's broken rules).
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient List<String> reasons;
  private final long retryAfterSeconds;

  public ApiError(int status, String code, String message) {
    this(status, code, message, List.of());
  }

  public ApiError(int status, String code, String message, List<String> reasons) {
    this(status, code, message, reasons, 0);
  }

  private ApiError(
      int status, String code, String message, List<String> reasons, long retryAfterSeconds) {
    super(message, null, false, false); // a client's mistake: no stack trace to collect
    this.status = status;
    this.code = code;
    this.reasons = List.copyOf(reasons);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 503 {@code busy}: retry after {@code seconds}. */
  static ApiError busy(String message, long seconds) {
    return new ApiError(503, "busy", message, List.of(), seconds);
  }

  /** Seconds the client should wait before retrying; 0 when the error does not say. */
  long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<String> reasons() {
    return reasons;
  }

  static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }
}
