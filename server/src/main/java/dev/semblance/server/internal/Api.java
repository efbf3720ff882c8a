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
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;

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
      Duration queueTimeout,
      Duration idleTimeout) {}

  /** An endpoint: method, path template and the role it needs (null = public). */
  public record Route(String method, String path, Role role) {}

  private final Settings settings;
  private final ObjectMapper json;
  private final InferencePool inference;
  private final PrometheusMeterRegistry metrics;
  private final AccessControl access;
  private final RecognitionEndpoints recognition;
  private final SubjectEndpoints subjects;
  private final PublicPages pages;
  private final List<Route> routes = new ArrayList<>();

  public Api(Encoder encoder, Gallery gallery, ApiKeys keys, Settings settings) {
    this.settings = settings;
    this.json =
        new ObjectMapper()
            .registerModule(new Jdk8Module())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    this.inference = new InferencePool(settings.inferenceConcurrency(), settings.queueTimeout());
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    Gauge.builder("semblance.gallery.subjects", gallery, Gallery::size).register(metrics);
    Gauge.builder("semblance.gallery.faces", gallery, Gallery::templateCount).register(metrics);
    Gauge.builder("semblance.inference.waiting", inference, InferencePool::waiting)
        .register(metrics);
    this.access =
        new AccessControl(
            keys,
            new RateLimiter(settings.requestsPerSecond(), settings.burst()),
            metrics.counter("semblance.rate.limited"));
    Payloads payloads = new Payloads(json);
    Images images = new Images(encoder, inference);
    this.recognition = new RecognitionEndpoints(images, gallery, payloads, settings.verifier());
    this.subjects = new SubjectEndpoints(images, gallery, payloads, settings.enrolmentPolicy());
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
    config.jetty.multipartConfig.maxTotalRequestSize(settings.maxBodyBytes(), SizeUnit.BYTES);
    config.jetty.multipartConfig.maxFileSize(settings.maxBodyBytes(), SizeUnit.BYTES);
    config.jetty.multipartConfig.maxInMemoryFileSize(
        (int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes()), SizeUnit.BYTES);
    config.jsonMapper(new JavalinJackson(json, false));
    config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors()));
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
    config.routes.error(
        404, ctx -> ErrorResponses.writeUnanswered(ctx, "not_found", "no such endpoint"));
    config.routes.error(
        405,
        ctx -> ErrorResponses.writeUnanswered(ctx, "method_not_allowed", "method not allowed"));

    endpoint(
        config, HandlerType.GET, "/", null, ctx -> PublicPages.resource(ctx, "web/index.html"));
    endpoint(
        config, HandlerType.GET, "/app.js", null, ctx -> PublicPages.resource(ctx, "web/app.js"));
    endpoint(
        config,
        HandlerType.GET,
        "/openapi.json",
        null,
        ctx -> PublicPages.resource(ctx, "openapi.json"));
    endpoint(config, HandlerType.GET, "/health", null, ctx -> pages.health(ctx, true));
    endpoint(config, HandlerType.GET, "/health/live", null, ctx -> pages.health(ctx, false));
    endpoint(config, HandlerType.GET, "/health/ready", null, ctx -> pages.health(ctx, true));
    endpoint(config, HandlerType.GET, "/metrics", null, pages::metrics);
    endpoint(config, HandlerType.POST, PREFIX + "/detect", Role.RECOGNIZE, recognition::detect);
    endpoint(
        config, HandlerType.POST, PREFIX + "/recognize", Role.RECOGNIZE, recognition::recognize);
    endpoint(config, HandlerType.POST, PREFIX + "/verify", Role.RECOGNIZE, recognition::verify);
    endpoint(config, HandlerType.GET, PREFIX + "/subjects", Role.ADMIN, subjects::listSubjects);
    endpoint(config, HandlerType.POST, PREFIX + "/subjects", Role.ADMIN, subjects::createSubject);
    endpoint(
        config,
        HandlerType.PUT,
        PREFIX + "/subjects/{subject}",
        Role.ADMIN,
        subjects::renameSubject);
    endpoint(
        config,
        HandlerType.DELETE,
        PREFIX + "/subjects/{subject}",
        Role.ADMIN,
        subjects::deleteSubject);
    endpoint(
        config,
        HandlerType.GET,
        PREFIX + "/subjects/{subject}/faces",
        Role.ADMIN,
        subjects::listFaces);
    endpoint(
        config,
        HandlerType.POST,
        PREFIX + "/subjects/{subject}/faces",
        Role.ADMIN,
        subjects::addFace);
    endpoint(
        config,
        HandlerType.DELETE,
        PREFIX + "/subjects/{subject}/faces/{image_id}",
        Role.ADMIN,
        subjects::deleteFace);
    endpoint(config, HandlerType.POST, PREFIX + "/compact", Role.ADMIN, subjects::compact);
  }

  /** Registers a handler behind the key check, the rate limit, the timer and the error writer. */
  private void endpoint(
      JavalinConfig config, HandlerType method, String path, Role role, Handler handler) {
    routes.add(new Route(method.name(), path, role));
    config.routes.addHttpHandler(
        method,
        path,
        ctx -> {
          long start = System.nanoTime();
          try {
            if (role != null) {
              access.admit(ctx, role);
            }
            handler.handle(ctx);
          } catch (Exception e) {
            ErrorResponses.write(ctx, e);
          } finally {
            Timer.builder("semblance.http.requests")
                .tag("method", method.name())
                .tag("route", path)
                .tag("status", String.valueOf(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(metrics)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          }
        });
  }
}
