package dev.semblance.server.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.QualityPolicy;
import dev.semblance.Verifier;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's wiring: Jetty through Javalin, the JSON mapper, the metrics, and every endpoint
 * registered through {@link #endpoint}, which admits the key ({@link AccessControl}), times the
 * request and answers every failure as a JSON error with a stable code ({@link ErrorResponses}).
 * The handlers live in {@link RecognitionEndpoints}, {@link SubjectEndpoints} and {@link
 * PublicPages}; model work runs on the {@link InferencePool}. {@link #routes()} lists the endpoints
 * for the OpenAPI check.
 *
 * <p>Thread-safe: Jetty calls handlers on many threads.
 */
public final class Api {
  static final String PREFIX = "/api/v1";
  private static final Logger log = LoggerFactory.getLogger(Api.class);

  /** What the server was asked to do; {@code SemblanceServer.Builder} documents each. */
  public record Settings(
      String host,
      int port,
      long maxBodyBytes,
      double requestsPerSecond,
      int burst,
      QualityPolicy enrolmentPolicy,
      Verifier verifier,
      List<String> corsOrigins,
      int inferenceConcurrency,
      int inferenceQueue,
      Duration queueTimeout,
      Duration idleTimeout,
      List<String> trustedProxies,
      Duration drainDelay) {}

  /** An endpoint: method, path template and the role it needs (null = public). */
  public record Route(String method, String path, Role role) {}

  /** Where a handler runs: on Jetty's thread, or queued for a model thread. */
  private enum Runs {
    AT_ONCE,
    ON_MODELS
  }

  /** How long a drain waits for the requests in progress once it stops admitting new ones. */
  private static final Duration FINISH_IN_FLIGHT = Duration.ofSeconds(30);

  private final Settings settings;
  private final ObjectMapper json;
  private final InferencePool inference;
  private final PrometheusMeterRegistry metrics;
  private final AccessControl access;
  private final RecognitionEndpoints recognition;
  private final SubjectEndpoints subjects;
  private final PublicPages pages;
  private final Payloads payloads;
  private final GallerySize gallerySize;
  private final InFlight inFlight = new InFlight();
  private volatile boolean draining;
  private final List<Route> routes = new ArrayList<>();

  public Api(Encoder encoder, Gallery gallery, ApiKeys keys, Settings settings) {
    this.settings = settings;
    this.json =
        new ObjectMapper()
            .registerModule(new Jdk8Module())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    this.inference =
        new InferencePool(
            settings.inferenceConcurrency(), settings.inferenceQueue(), settings.queueTimeout());
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    this.gallerySize = new GallerySize(gallery, Duration.ofSeconds(5));
    Gauge.builder("semblance.gallery.subjects", gallerySize, GallerySize::get).register(metrics);
    Gauge.builder("semblance.gallery.faces", gallery, Gallery::templateCount).register(metrics);
    Gauge.builder("semblance.inference.waiting", inference, InferencePool::waiting)
        .register(metrics);
    Gauge.builder("semblance.http.in.flight", inFlight, InFlight::count).register(metrics);
    this.access =
        new AccessControl(
            keys,
            new RateLimiter(settings.requestsPerSecond(), settings.burst()),
            metrics.counter("semblance.rate.limited"));
    this.payloads = new Payloads(json);
    Images images = new Images(encoder);
    this.recognition =
        new RecognitionEndpoints(images, gallery, gallerySize, payloads, settings.verifier());
    this.subjects =
        new SubjectEndpoints(
            images,
            gallery,
            payloads,
            settings.enrolmentPolicy(),
            new AuditLog(settings.trustedProxies()),
            gallerySize);
    this.pages = new PublicPages(metrics);
  }

  /** The endpoints, in registration order; filled by {@link #start}. */
  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** Starts Jetty on the settings' address; the caller stops the returned app. */
  public Javalin start() {
    Javalin app = Javalin.create(this::configure);
    try {
      app.start();
    } catch (JavalinBindException e) {
      throw new UncheckedIOException(
          new BindException(
              "cannot listen on "
                  + settings.host()
                  + ":"
                  + settings.port()
                  + ": "
                  + e.getMessage()));
    }
    for (Connector connector : app.jettyServer().server().getConnectors()) {
      if (connector instanceof ServerConnector c) {
        c.setIdleTimeout(settings.idleTimeout().toMillis());
      }
    }
    pages.ready();
    return app;
  }

  /**
   * Drains the server before it stops: readiness answers 503 at once; for {@code drainDelay} every
   * request is still served (a load balancer's probes take that long to notice); then new API
   * requests get 503 {@code shutting_down} while those in progress finish (up to 30 s).
   */
  public void drain() throws InterruptedException {
    pages.draining();
    Thread.sleep(settings.drainDelay().toMillis());
    draining = true;
    if (!inFlight.awaitNone(FINISH_IN_FLIGHT)) {
      log.warn(
          "{} requests still in progress after {}; stopping", inFlight.count(), FINISH_IN_FLIGHT);
    }
  }

  /** Stops the inference threads once Jetty has stopped; work queued meanwhile is dropped. */
  public void stop() {
    inference.shutdown();
  }

  private void configure(JavalinConfig config) {
    config.startup.showJavalinBanner = false;
    config.startup.showOldJavalinVersionWarning = false;
    config.jetty.host = settings.host();
    config.jetty.port = settings.port();
    config.http.maxRequestSize = settings.maxBodyBytes();
    config.http.prefer405over404 = true;
    config.jetty.timeoutStatus = 408;
    config.jetty.multipartConfig.maxTotalRequestSize(settings.maxBodyBytes(), SizeUnit.BYTES);
    config.jetty.multipartConfig.maxFileSize(settings.maxBodyBytes(), SizeUnit.BYTES);
    config.jetty.multipartConfig.maxInMemoryFileSize(
        (int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes()), SizeUnit.BYTES);
    config.jsonMapper(new JavalinJackson(json, false));
    config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors(this::count)));
    if (!settings.corsOrigins().isEmpty()) {
      List<String> origins = settings.corsOrigins();
      config.bundledPlugins.enableCors(
          cors ->
              cors.addRule(
                  rule ->
                      rule.allowHost(
                          origins.get(0),
                          origins.subList(1, origins.size()).toArray(String[]::new))));
    }
    config.routes.exception(Exception.class, (e, ctx) -> ErrorResponses.write(ctx, e));
    config.routes.error(404, ctx -> unrouted(ctx, "not_found", "no such endpoint"));
    config.routes.error(
        405, ctx -> unrouted(ctx, "method_not_allowed", "this endpoint takes another method"));

    endpoint(
        config, "GET /", null, Runs.AT_ONCE, ctx -> PublicPages.resource(ctx, "web/index.html"));
    endpoint(
        config, "GET /app.js", null, Runs.AT_ONCE, ctx -> PublicPages.resource(ctx, "web/app.js"));
    endpoint(
        config,
        "GET /openapi.json",
        null,
        Runs.AT_ONCE,
        ctx -> PublicPages.resource(ctx, "openapi.json"));
    endpoint(config, "GET /health", null, Runs.AT_ONCE, ctx -> pages.health(ctx, true));
    endpoint(config, "GET /health/live", null, Runs.AT_ONCE, ctx -> pages.health(ctx, false));
    endpoint(config, "GET /health/ready", null, Runs.AT_ONCE, ctx -> pages.health(ctx, true));
    endpoint(config, "GET /metrics", null, Runs.AT_ONCE, pages::metrics);
    endpoint(config, "POST /detect", Role.RECOGNIZE, Runs.ON_MODELS, recognition::detect);
    endpoint(config, "POST /recognize", Role.RECOGNIZE, Runs.ON_MODELS, recognition::recognize);
    endpoint(config, "POST /verify", Role.RECOGNIZE, Runs.ON_MODELS, recognition::verify);
    endpoint(config, "GET /subjects", Role.ADMIN, Runs.AT_ONCE, subjects::listSubjects);
    endpoint(config, "POST /subjects", Role.ADMIN, Runs.ON_MODELS, subjects::createSubject);
    endpoint(config, "PUT /subjects/{subject}", Role.ADMIN, Runs.AT_ONCE, subjects::renameSubject);
    endpoint(
        config, "DELETE /subjects/{subject}", Role.ADMIN, Runs.AT_ONCE, subjects::deleteSubject);
    endpoint(
        config, "GET /subjects/{subject}/faces", Role.ADMIN, Runs.AT_ONCE, subjects::listFaces);
    endpoint(
        config, "POST /subjects/{subject}/faces", Role.ADMIN, Runs.ON_MODELS, subjects::addFace);
    endpoint(
        config,
        "DELETE /subjects/{subject}/faces/{image_id}",
        Role.ADMIN,
        Runs.AT_ONCE,
        subjects::deleteFace);
    endpoint(config, "POST /compact", Role.ADMIN, Runs.AT_ONCE, subjects::compact);
  }

  /**
   * Registers a handler behind the key check, the rate limit, the timer and the error writer. A
   * {@code role} endpoint's path is under {@link #PREFIX}. Model work is admitted only while the
   * inference queue has room, and waits there as a future, holding no Jetty thread.
   */
  private void endpoint(
      JavalinConfig config, String operation, Role role, Runs runs, Handler handler) {
    HandlerType method = HandlerType.findOrCreate(operation.substring(0, operation.indexOf(' ')));
    String path = (role == null ? "" : PREFIX) + operation.substring(operation.indexOf(' ') + 1);
    routes.add(new Route(method.name(), path, role));
    config.routes.addHttpHandler(
        method,
        path,
        ctx -> {
          long arrival = arrival(ctx);
          inFlight(ctx);
          boolean queued = false;
          try {
            if (role != null) {
              ctx.header("X-Content-Type-Options", "nosniff");
              if (draining) {
                ctx.header("Connection", "close");
                throw new ApiError(503, "shutting_down", "this server is stopping; retry");
              }
              access.admit(ctx, role);
            }
            if (runs == Runs.AT_ONCE) {
              handler.handle(ctx);
            } else {
              inference.checkRoom();
              payloads.readBody(ctx);
              CompletableFuture<Void> done = inference.submit(arrival, () -> handler.handle(ctx));
              queued = true;
              ctx.future(
                  () ->
                      done.handle(
                          (ok, e) -> {
                            if (e != null) {
                              ErrorResponses.write(ctx, unwrap(e));
                            }
                            count(method.name(), path, ctx.statusCode(), since(arrival));
                            return null;
                          }));
            }
          } catch (Exception e) {
            ErrorResponses.write(ctx, e);
          } finally {
            if (!queued) {
              count(method.name(), path, ctx.statusCode(), since(arrival));
            }
          }
        });
  }

  private static long since(long nanos) {
    return System.nanoTime() - nanos;
  }

  /**
   * Counts the request in progress until its answer is sent (Jetty's completion, after an
   * asynchronous answer is written too), which is what a drain waits for.
   */
  private void inFlight(Context ctx) {
    inFlight.begin();
    try {
      Request.addCompletionListener(
          ServletContextRequest.getServletContextRequest(ctx.req()), failure -> inFlight.end());
    } catch (RuntimeException e) {
      inFlight.end(); // not a Jetty request: nothing to wait for
    }
  }

  /** Counts and times an answered request in {@code semblance_http_requests}. */
  private void count(String method, String route, int status, long nanos) {
    Timer.builder("semblance.http.requests")
        .tag("method", method)
        .tag("route", route)
        .tag("status", String.valueOf(status))
        .publishPercentileHistogram()
        .register(metrics)
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Javalin's own 404 and 405, as JSON errors like every other, counted as unrouted. */
  private void unrouted(Context ctx, String code, String message) {
    if (ErrorResponses.writeUnanswered(ctx, code, message)) {
      count(ctx.method().name(), "unrouted", ctx.statusCode(), since(arrival(ctx)));
    }
  }

  /** When the request's first byte arrived, so that waits in Jetty's queues count too. */
  private static long arrival(Context ctx) {
    try {
      return ServletContextRequest.getServletContextRequest(ctx.req()).getBeginNanoTime();
    } catch (RuntimeException e) {
      return System.nanoTime();
    }
  }

  private static Exception unwrap(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof Error error) {
      throw error;
    }
    return (Exception) cause;
  }
}
