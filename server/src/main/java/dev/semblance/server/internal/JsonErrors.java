package dev.semblance.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals — a request it cannot parse (bad URI encoding, headers too large) before any
 * endpoint sees it — as the same JSON errors as every other answer, instead of HTML pages.
 */
final class JsonErrors extends ErrorHandler {
  /** Where the refusals are counted: method, route, status, nanoseconds taken. */
  interface Counter {
    void count(String method, String route, int status, long nanos);
  }

  private final Counter counter;

  JsonErrors(Counter counter) {
    this.counter = counter;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int status,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    counter.count(
        request.getMethod(), "unrouted", status, System.nanoTime() - request.getBeginNanoTime());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, body(status, message), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    counter.count("unknown", "unrouted", status, 0); // a request too broken to have a method
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return body(status, reason);
  }

  private static ByteBuffer body(int status, String message) {
    String code =
        switch (status) {
          case 400 -> "bad_request";
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 408 -> "timeout";
          case 413 -> "body_too_large";
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    String text = message == null || message.isBlank() ? "HTTP " + status : message;
    String json =
        "{\"code\":\""
            + code
            + "\",\"message\":\""
            + text.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ")
            + "\"}";
    return ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
  }
}
