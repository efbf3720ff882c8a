// Over 400 lines: one handler per endpoint, each short; splitting them by resource would scatter
// the shared steps (authorise, decode under the inference limit, answer errors) they all use.
package dev.semblance.server.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceRejectedException;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import dev.semblance.ImageFaces;
import dev.semblance.QualityPolicy;
import dev.semblance.Verification;
import dev.semblance.Verifier;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's endpoints over an encoder, a gallery and the API keys. Every endpoint is registered
 * through {@link #endpoint}, which authorises, rate-limits, times and turns every failure into a
 * JSON error with a stable code; {@link #routes()} lists them for the OpenAPI check.
 *
 * <p>Thread-safe: Jetty calls handlers on many threads. Inference runs under a semaphore (at most
 * {@code inferenceConcurrency} images at once; a request that waits longer than the queue timeout
 * gets 503), and changes to subjects are serialised so that "exists?" and "enrol" stay together.
 */
public final class Api {
  private static final Logger log = LoggerFactory.getLogger(Api.class);

  /** One line per change to the gallery: who changed what, from where. */
  private static final Logger audit = LoggerFactory.getLogger("dev.semblance.server.audit");

  private static final String PREFIX = "/api/v1";
  private static final int MAX_LIMIT = 100;
  private static final int MAX_PAGE_SIZE = 1000;
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final String KEY_ATTRIBUTE = "semblance.key";
  private static final String ANSWERED_ATTRIBUTE = "semblance.answered";

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

  private final Encoder encoder;
  private final Gallery gallery;
  private final ApiKeys keys;
  private final Settings settings;
  private final ObjectMapper json;
  private final Payloads payloads;
  private final RateLimiter limiter;
  private final ThreadPoolExecutor inference;
  private final ReentrantLock subjectChanges = new ReentrantLock();
  private final PrometheusMeterRegistry metrics;
  private final List<Route> routes = new ArrayList<>();
  private final Counter rateLimited;
  private volatile boolean ready;

  public Api(Encoder encoder, Gallery gallery, ApiKeys keys, Settings settings) {
    this.encoder = encoder;
    this.gallery = gallery;
    this.keys = keys;
    this.settings = settings;
    this.json =
        new ObjectMapper()
            .registerModule(new Jdk8Module())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    this.payloads = new Payloads(json);
    this.limiter = new RateLimiter(settings.requestsPerSecond(), settings.burst());
    this.inference =
        new ThreadPoolExecutor(
            settings.inferenceConcurrency(),
            settings.inferenceConcurrency(),
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread =
                  new Thread(runnable, "semblance-inference-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    inference.prestartAllCoreThreads(); // the queue timeout then measures only waiting
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    Gauge.builder("semblance.gallery.subjects", gallery, Gallery::size).register(metrics);
    Gauge.builder("semblance.gallery.faces", gallery, Gallery::templateCount).register(metrics);
    Gauge.builder("semblance.inference.waiting", inference, pool -> pool.getQueue().size())
        .register(metrics);
    this.rateLimited = metrics.counter("semblance.rate.limited");
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
    ready = true;
    return app;
  }

  /** Stops the inference threads once Jetty has stopped; work queued meanwhile is dropped. */
  public void stop() {
    inference.shutdownNow();
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
    config.routes.exception(Exception.class, (e, ctx) -> writeError(ctx, e));
    config.routes.error(404, ctx -> replaceError(ctx, "not_found", "no such endpoint"));
    config.routes.error(405, ctx -> replaceError(ctx, "method_not_allowed", "method not allowed"));

    endpoint(config, HandlerType.GET, "/", null, ctx -> resource(ctx, "web/index.html"));
    endpoint(config, HandlerType.GET, "/app.js", null, ctx -> resource(ctx, "web/app.js"));
    endpoint(config, HandlerType.GET, "/openapi.json", null, ctx -> resource(ctx, "openapi.json"));
    endpoint(config, HandlerType.GET, "/health", null, ctx -> health(ctx, true));
    endpoint(config, HandlerType.GET, "/health/live", null, ctx -> health(ctx, false));
    endpoint(config, HandlerType.GET, "/health/ready", null, ctx -> health(ctx, true));
    endpoint(config, HandlerType.GET, "/metrics", null, this::metrics);
    endpoint(config, HandlerType.POST, PREFIX + "/detect", Role.RECOGNIZE, this::detect);
    endpoint(config, HandlerType.POST, PREFIX + "/recognize", Role.RECOGNIZE, this::recognize);
    endpoint(config, HandlerType.POST, PREFIX + "/verify", Role.RECOGNIZE, this::verify);
    endpoint(config, HandlerType.GET, PREFIX + "/subjects", Role.ADMIN, this::listSubjects);
    endpoint(config, HandlerType.POST, PREFIX + "/subjects", Role.ADMIN, this::createSubject);
    endpoint(
        config, HandlerType.PUT, PREFIX + "/subjects/{subject}", Role.ADMIN, this::renameSubject);
    endpoint(
        config,
        HandlerType.DELETE,
        PREFIX + "/subjects/{subject}",
        Role.ADMIN,
        this::deleteSubject);
    endpoint(
        config, HandlerType.GET, PREFIX + "/subjects/{subject}/faces", Role.ADMIN, this::listFaces);
    endpoint(
        config, HandlerType.POST, PREFIX + "/subjects/{subject}/faces", Role.ADMIN, this::addFace);
    endpoint(
        config,
        HandlerType.DELETE,
        PREFIX + "/subjects/{subject}/faces/{image_id}",
        Role.ADMIN,
        this::deleteFace);
    endpoint(config, HandlerType.POST, PREFIX + "/compact", Role.ADMIN, this::compact);
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
              authorize(ctx, role);
            }
            handler.handle(ctx);
          } catch (Exception e) {
            writeError(ctx, e);
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

  private void authorize(Context ctx, Role needed) {
    String presented = ctx.header("X-Api-Key");
    String bearer = ctx.header("Authorization");
    if (presented == null && bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = bearer.substring(7);
    }
    ApiKeys.Check check = keys.authenticate(presented);
    if (check.key().isEmpty()) {
      String code = check.refusal().replace("API ", "").replace(' ', '_');
      throw new ApiError(
          401,
          code.equals("no_key") ? "missing_key" : code.replace("unknown", "invalid"),
          check.refusal() + ": send it in the X-Api-Key header");
    }
    ApiKeys.KeyInfo key = check.key().get();
    if (!key.role().allows(needed)) {
      throw new ApiError(
          403,
          "forbidden",
          "a "
              + key.role().label()
              + " key may not call this endpoint; it needs "
              + needed.label());
    }
    long wait = limiter.secondsToWait(key.id());
    if (wait > 0) {
      rateLimited.increment();
      ctx.header("Retry-After", String.valueOf(wait));
      throw new ApiError(
          429, "rate_limited", "too many requests for this key; retry in " + wait + " s");
    }
    ctx.attribute(KEY_ATTRIBUTE, key.id());
  }

  // ---- detect, recognize, verify -------------------------------------------------------------

  private void detect(Context ctx) {
    ImageFaces image = encode(payloads.image(ctx, "file"), "file");
    ctx.json(new Views.Detected(size(image), image.faces().stream().map(Views::detected).toList()));
  }

  private void recognize(Context ctx) {
    int limit = intParam(ctx, "limit", 3, 1, MAX_LIMIT);
    byte[] bytes = payloads.image(ctx, "file");
    // The search runs on the inference pool too: a million-template scan is as heavy as a model.
    Recognition seen =
        underInferenceLimit(
            () -> {
              ImageFaces image = decoded(bytes, "file");
              List<Embedding> probes = image.faces().stream().map(Face::embedding).toList();
              return new Recognition(image, gallery.identifyAll(probes, limit));
            });
    List<Views.FaceView> faces = new ArrayList<>();
    for (int i = 0; i < seen.found().size(); i++) {
      faces.add(Views.recognized(seen.image().faces().get(i), seen.found().get(i)));
    }
    ctx.json(new Views.Recognized(size(seen.image()), gallery.threshold(), gallery.size(), faces));
  }

  private record Recognition(ImageFaces image, List<Identification> found) {}

  private void verify(Context ctx) {
    Face source = mainFace(encode(payloads.image(ctx, "source"), "source"), "source");
    byte[] targetImage = payloads.optionalImage(ctx, "target");
    String subject = payloads.optionalText(ctx, "subject");
    if ((targetImage == null) == (subject == null)) {
      throw ApiError.badRequest(
          "missing_field", "give either a 'target' image or a 'subject' to verify against");
    }
    Verifier verifier = settings.verifier();
    if (targetImage != null) {
      Face target = mainFace(encode(targetImage, "target"), "target");
      Verification v = verifier.verify(source, target);
      ctx.json(
          new Views.Verified(
              v.match(),
              v.similarity(),
              v.threshold(),
              Views.detected(source),
              Views.detected(target),
              null));
      return;
    }
    String name = existingSubject(subject);
    Verification v = verifier.verify(source, name, gallery);
    ctx.json(
        new Views.Verified(
            v.match(), v.similarity(), v.threshold(), Views.detected(source), null, name));
  }

  // ---- subjects and their faces --------------------------------------------------------------

  private void listSubjects(Context ctx) {
    int page = intParam(ctx, "page", 0, 0, Integer.MAX_VALUE);
    int size = intParam(ctx, "size", 100, 1, MAX_PAGE_SIZE);
    List<String> names = new ArrayList<>(gallery.identities());
    List<Views.SubjectSummary> slice = new ArrayList<>();
    long from = (long) page * size;
    for (long i = from; i < Math.min(names.size(), from + size); i++) {
      String name = names.get((int) i);
      slice.add(new Views.SubjectSummary(name, templatesOrEmpty(name).size()));
    }
    ctx.json(new Views.SubjectPage(slice, page, size, names.size()));
  }

  private void createSubject(Context ctx) {
    String subject = SubjectNames.check(payloads.text(ctx, "subject"));
    Face face = mainFace(encode(payloads.image(ctx, "file"), "file"), "file");
    subjectChanges.lock();
    try {
      if (gallery.contains(subject)) {
        throw new ApiError(
            409,
            "subject_exists",
            "subject '"
                + subject
                + "' exists; add faces with POST "
                + PREFIX
                + "/subjects/{subject}/faces");
      }
      enrol(ctx, subject, face);
    } finally {
      subjectChanges.unlock();
    }
  }

  private void addFace(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    Face face = mainFace(encode(payloads.image(ctx, "file"), "file"), "file");
    subjectChanges.lock();
    try {
      existingSubject(subject);
      enrol(ctx, subject, face);
    } finally {
      subjectChanges.unlock();
    }
  }

  private void enrol(Context ctx, String subject, Face face) {
    QualityPolicy policy = settings.enrolmentPolicy();
    try {
      if (policy != null && face.quality().isPresent()) {
        gallery.enroll(subject, List.of(face), policy);
      } else {
        gallery.enroll(subject, face.embedding());
      }
    } catch (FaceRejectedException e) {
      throw new ApiError(422, "face_rejected", e.getMessage(), e.reasons());
    }
    String imageId = imageId(face.embedding());
    audit.info("enrol subject=\"{}\" image_id={} {}", subject, imageId, who(ctx));
    ctx.status(201).json(new Views.Enrolled(subject, imageId, face.quality().orElse(null)));
  }

  private void renameSubject(Context ctx) {
    String from = SubjectNames.check(ctx.pathParam("subject"));
    String to = SubjectNames.check(payloads.text(ctx, "subject"));
    subjectChanges.lock();
    try {
      existingSubject(from);
      if (gallery.contains(to)) {
        throw new ApiError(409, "subject_exists", "subject '" + to + "' exists");
      }
      gallery.rename(from, to);
    } finally {
      subjectChanges.unlock();
    }
    audit.info("rename subject=\"{}\" to=\"{}\" {}", from, to, who(ctx));
    ctx.json(new Views.Renamed(to, from));
  }

  private void deleteSubject(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    int faces;
    subjectChanges.lock();
    try {
      faces = templatesOrEmpty(existingSubject(subject)).size();
      gallery.remove(subject);
    } finally {
      subjectChanges.unlock();
    }
    audit.info("remove subject=\"{}\" faces={} {}", subject, faces, who(ctx));
    ctx.json(new Views.SubjectDeleted(subject, faces));
  }

  private void listFaces(Context ctx) {
    String subject = existingSubject(SubjectNames.check(ctx.pathParam("subject")));
    List<Views.Example> faces =
        templatesOrEmpty(subject).stream().map(t -> new Views.Example(imageId(t))).toList();
    ctx.json(new Views.Examples(subject, faces));
  }

  private void deleteFace(Context ctx) {
    String subject = SubjectNames.check(ctx.pathParam("subject"));
    String imageId = ctx.pathParam("image_id");
    boolean subjectRemoved;
    subjectChanges.lock();
    try {
      existingSubject(subject);
      Optional<Embedding> template =
          gallery.templates(subject).stream().filter(t -> imageId(t).equals(imageId)).findFirst();
      if (template.isEmpty()) {
        throw new ApiError(
            404, "face_not_found", "subject '" + subject + "' has no face '" + imageId + "'");
      }
      gallery.removeTemplate(subject, template.get());
      subjectRemoved = !gallery.contains(subject);
    } finally {
      subjectChanges.unlock();
    }
    audit.info(
        "remove face subject=\"{}\" image_id={} subject_removed={} {}",
        subject,
        imageId,
        subjectRemoved,
        who(ctx));
    ctx.json(new Views.ExampleDeleted(subject, imageId, subjectRemoved));
  }

  private void compact(Context ctx) {
    try {
      gallery.compact();
    } catch (IllegalStateException e) {
      throw new ApiError(409, "not_a_directory", "this server's gallery is held in memory only");
    }
    audit.info("compact {}", who(ctx));
    ctx.json(new Views.Compacted(gallery.size(), gallery.templateCount()));
  }

  // ---- public pages --------------------------------------------------------------------------

  private void health(Context ctx, boolean needReady) {
    boolean up = !needReady || ready;
    ctx.status(up ? 200 : 503).json(new Views.Health(up ? "up" : "starting", true, ready));
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }

  private static void resource(Context ctx, String name) throws IOException {
    try (InputStream in = Api.class.getResourceAsStream("/dev/semblance/server/" + name)) {
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
                  + " style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
          .result(in.readAllBytes());
    }
  }

  // ---- shared steps --------------------------------------------------------------------------

  /** Decodes and encodes one image on the inference pool; 400 when it is not an image. */
  private ImageFaces encode(byte[] image, String field) {
    return underInferenceLimit(() -> decoded(image, field));
  }

  private ImageFaces decoded(byte[] image, String field) {
    ImageFaces faces = encoder.encodeEach(List.of(image), List.of(field)).get(0);
    if (!faces.isReadable()) {
      throw ApiError.badRequest("invalid_image", faces.failure());
    }
    return faces;
  }

  /**
   * Runs model work on the inference pool: a few threads that always run the models (their caches
   * stay warm), fed by a queue; a request whose work has not started within the queue timeout is
   * withdrawn and answered 503.
   */
  private <T> T underInferenceLimit(Supplier<T> work) {
    // Whoever claims the task first decides: the pool thread runs it, or the waiter withdraws it.
    AtomicBoolean claimed = new AtomicBoolean();
    FutureTask<T> task =
        new FutureTask<>(
            () -> {
              if (!claimed.compareAndSet(false, true)) {
                throw new CancellationException("withdrawn after the queue timeout");
              }
              return work.get();
            });
    inference.execute(task);
    try {
      return task.get(settings.queueTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      if (claimed.compareAndSet(false, true)) {
        task.cancel(false);
        inference.remove(task);
        throw new ApiError(
            503,
            "busy",
            "every model is busy and the request waited "
                + settings.queueTimeout().toMillis()
                + " ms; retry later");
      }
      return await(task); // running already: let it finish
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "busy", "interrupted while waiting for the models");
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static <T> T await(FutureTask<T> task) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "busy", "interrupted while waiting for the models");
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(ExecutionException e) {
    if (e.getCause() instanceof RuntimeException r) {
      return r;
    }
    if (e.getCause() instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(e.getCause());
  }

  private static Face mainFace(ImageFaces image, String field) {
    int main = image.mainFaceIndex();
    if (main < 0) {
      throw new ApiError(422, "no_face", "no face found in image '" + field + "'");
    }
    return image.faces().get(main);
  }

  private String existingSubject(String subject) {
    String name = SubjectNames.check(subject);
    if (!gallery.contains(name)) {
      throw new ApiError(404, "subject_not_found", "no subject '" + name + "'");
    }
    return name;
  }

  /** A subject's templates, or none when it was removed meanwhile. */
  private List<Embedding> templatesOrEmpty(String subject) {
    try {
      return gallery.templates(subject);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  /**
   * A face example's id: the first 64 bits of the SHA-256 of its template, so that it survives
   * restarts and compaction with nothing stored beside the gallery.
   */
  static String imageId(Embedding template) {
    float[] v = template.toArray();
    ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES);
    bytes.asFloatBuffer().put(v);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes.array());
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static Views.Size size(ImageFaces image) {
    return new Views.Size(image.width(), image.height());
  }

  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.badRequest(
        "invalid_parameter",
        "query parameter '" + name + "' must be an integer from " + min + " to " + max);
  }

  private static String who(Context ctx) {
    return "key=" + ctx.attribute(KEY_ATTRIBUTE) + " from=" + ctx.ip();
  }

  // ---- errors --------------------------------------------------------------------------------

  private void writeError(Context ctx, Exception e) {
    ApiError error = asApiError(e);
    if (error.status() >= 500 && !error.code().equals("busy")) {
      log.error("{} {} failed", ctx.method(), ctx.path(), e);
    }
    ctx.attribute(ANSWERED_ATTRIBUTE, true);
    ctx.status(error.status())
        .json(
            new Views.Error(
                error.code(),
                error.getMessage(),
                error.reasons().isEmpty() ? null : error.reasons()));
  }

  private static ApiError asApiError(Exception e) {
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
      if (cause instanceof BadMessageException) {
        return ApiError.badRequest("malformed_multipart", "the multipart body cannot be read");
      }
    }
    return new ApiError(500, "internal_error", "the server failed; see its log");
  }

  /** Javalin's own 404 and 405 pages, as JSON errors like every other. */
  private void replaceError(Context ctx, String code, String message) {
    if (ctx.attribute(ANSWERED_ATTRIBUTE) == null) {
      ctx.json(new Views.Error(code, message + ": " + ctx.method() + " " + ctx.path(), null));
    }
  }
}
