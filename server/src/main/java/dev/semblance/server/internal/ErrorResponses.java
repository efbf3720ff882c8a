package dev.semblance.server.internal;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure as the JSON error of the API: an {@link ApiError} as it is, Jetty's and Javalin's
 * own refusals (body too large, broken multipart, unknown route) with their stable codes, anything
 * else as a logged 500 that shows the client no internals.
 *
 * <p>Thread-safe: stateless.
 */
final class ErrorResponses {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
  private static final String ANSWERED_ATTRIBUTE = "semblance.answered";

  private ErrorResponses() {}

  /** Answers {@code ctx} with the error {@code e} stands for. */
  static void write(Context ctx, Exception e) {
    ApiError error = asApiError(e);
    if (error.status() >= 500 && !error.code().equals("busy")) {
      log.error("{} {} failed", ctx.method(), ctx.path(), e);
    }
    ctx.attribute(ANSWERED_ATTRIBUTE, true);
    if (error.status() == 503) {
      ctx.header("Retry-After", String.valueOf(Math.max(1, error.retryAfterSeconds())));
    }
    ctx.status(error.status())
        .json(
            new Views.Error(
                error.code(),
                error.getMessage(),
                error.reasons().isEmpty() ? null : error.reasons()));
  }

  static ApiError asApiError(Exception e) {
    if (e instanceof ApiError error) {
      return error;
    }
    if (e instanceof HttpResponseException h) {
      int status = h.getStatus();
      String code =
          switch (status) {
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            case 404 -> "not_found";
            default -> status < 500 ? "bad_request" : "internal_error";
          };
      return new ApiError(status, code, h.getMessage());
    }
    // Jetty's multipart parser reports a body over the limit, or a broken form, down a chain.
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalStateException
          && String.valueOf(cause.getMessage()).startsWith("max length exceeded")) {
        return new ApiError(413, "body_too_large", "the request body is over the server's limit");
      }
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutException) { // Jetty's idle timeout, mid-body
        return new ApiError(
            408, "body_timeout", "the request body stopped arriving; send it again");
      }
      if (cause instanceof BadMessageException) {
        return ApiError.badRequest("malformed_multipart", "the multipart body cannot be read");
      }
    }
    return new ApiError(500, "internal_error", "the server failed; see its log");
  }

  /**
   * Javalin's own 404 and 405 pages, as JSON errors like every other; false (and nothing written)
   * when an endpoint answered the status itself.
   */
  static boolean writeUnanswered(Context ctx, String code, String message) {
    if (ctx.attribute(ANSWERED_ATTRIBUTE) != null) {
      return false;
    }
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.json(new Views.Error(code, message + ": " + ctx.method() + " " + ctx.path(), null));
    return true;
  }
}
