package dev.semblance.server.internal;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;

/**
 * What anyone may read: health for probes, metrics for Prometheus, the web page and the OpenAPI
 * document.
 *
 * <p>Thread-safe.
 */
final class PublicPages {
  private final PrometheusMeterRegistry metrics;
  private volatile boolean ready;
  private volatile boolean draining;

  PublicPages(PrometheusMeterRegistry metrics) {
    this.metrics = metrics;
  }

  /** From now on the server says it is ready. */
  void ready() {
    ready = true;
  }

  /** From now on the server says it is not ready: it is stopping. */
  void draining() {
    draining = true;
  }

  void health(Context ctx, boolean needReady) {
    boolean isReady = ready && !draining;
    boolean up = !needReady || isReady;
    String status = up ? "up" : draining ? "draining" : "starting";
    ctx.status(up ? 200 : 503).json(new Views.Health(status, true, isReady));
  }

  void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }

  static void resource(Context ctx, String name) throws IOException {
    try (InputStream in = PublicPages.class.getResourceAsStream("/dev/semblance/server/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource missing from the jar: " + name);
      }
      String type =
          name.endsWith(".html")
              ? "text/html; charset=utf-8"
              : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "application/json";
      ctx.contentType(type)
          .header("X-Content-Type-Options", "nosniff")
          .header(
              "Content-Security-Policy",
              "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:;"
                  + " style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none';"
                  + " form-action 'self'")
          .result(in.readAllBytes());
    }
  }
}
