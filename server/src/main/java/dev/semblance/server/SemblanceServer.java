package dev.semblance.server;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.QualityPolicy;
import dev.semblance.Verifier;
import dev.semblance.server.internal.Api;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Semblance behind a REST API and a web page: detect, recognize (open set, at the gallery's
 * threshold), verify, and subjects with their face examples, under {@code /api/v1}; {@code
 * /health}, {@code /metrics} (Prometheus) and {@code /openapi.json}; the page at {@code /}.
 *
 * <pre>{@code
 * try (Encoder encoder = Encoder.builder().quality(true).build();
 *     Gallery gallery = Gallery.open(Path.of("staff"), encoder);
 *     SemblanceServer server =
 *         SemblanceServer.builder(encoder, gallery, ApiKeys.open(Path.of("staff-keys.tsv")))
 *             .port(8080)
 *             .start()) {
 *   server.awaitStop();
 * }
 * }</pre>
 *
 * <p>Every {@code /api} call needs an API key ({@link ApiKeys}) of a role that allows it, in the
 * {@code X-Api-Key} header (or {@code Authorization: Bearer}). Errors are JSON objects {@code
 * {"code", "message"}} with stable codes and no stack traces. An enrolment is answered 2xx only
 * once the gallery has it (on disk, for a gallery opened from a directory). The server does not own
 * the encoder or the gallery: close them after it.
 *
 * <p>Past its capacity the server answers 503 {@code busy} with {@code Retry-After} at once: a
 * request that needs the models is admitted only while the {@linkplain Builder#inferenceQueue
 * inference queue} has room, and waits there without holding one of Jetty's threads, which stay
 * free for {@code /health} and {@code /metrics}.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use; requests are served on Jetty's threads.
 */
public final class SemblanceServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SemblanceServer.class);

  private final Javalin app;
  private final Api api;
  private boolean closed;

  private SemblanceServer(Javalin app, Api api) {
    this.app = app;
    this.api = api;
  }

  /** Starts describing a server over {@code encoder}'s models, {@code gallery} and {@code keys}. */
  public static Builder builder(Encoder encoder, Gallery gallery, ApiKeys keys) {
    return new Builder(encoder, gallery, keys);
  }

  /** The port the server listens on (the one chosen when 0 was asked). */
  public int port() {
    return app.port();
  }

  /** The server's base address, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    String host = app.jettyServer().server().getURI().getHost();
    return URI.create(
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
  }

  /** The endpoints served: method, path template, role needed (null for public ones). */
  public List<String> endpoints() {
    return api.routes().stream()
        .map(r -> r.method() + " " + r.path() + (r.role() == null ? "" : " " + r.role().label()))
        .toList();
  }

  /** Blocks until the server stops (by {@link #close} from another thread, or the JVM's end). */
  public void awaitStop() throws InterruptedException {
    app.jettyServer().server().join();
  }

  /**
   * Stops gracefully: readiness answers 503 at once, requests are still served for the {@linkplain
   * Builder#drainDelay drain delay}, then new API requests are refused with 503 while those in
   * progress finish (up to 30 s), and the server stops. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      api.drain();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop at once
    } finally {
      app.stop();
      api.stop();
    }
  }

  /**
   * What a server serves and how; {@link #start()} starts it.
   *
   * <p>Not thread-safe; use one builder on one thread.
   */
  public static final class Builder {
    private final Encoder encoder;
    private final Gallery gallery;
    private final ApiKeys keys;
    private String host = "127.0.0.1";
    private int port = 8080;
    private long maxBodyBytes = 16L << 20;
    private double requestsPerSecond = 20;
    private int burst = 40;
    private QualityPolicy enrolmentPolicy;
    private boolean enrolmentPolicySet;
    private Verifier verifier = Verifier.withDefaultThreshold();
    private List<String> corsOrigins = List.of();
    private int inferenceConcurrency = Runtime.getRuntime().availableProcessors();
    private int inferenceQueue = -1;
    private Duration queueTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private List<String> trustedProxies = List.of();
    private Duration drainDelay = Duration.ZERO;

    private Builder(Encoder encoder, Gallery gallery, ApiKeys keys) {
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      this.gallery = Objects.requireNonNull(gallery, "gallery");
      this.keys = Objects.requireNonNull(keys, "keys");
      checkArgument(
          gallery.embedderId().equals(encoder.embedderId()),
          "the gallery holds templates of embedder %s, the encoder makes %s",
          gallery.embedderId(),
          encoder.embedderId());
    }

    /** The address to bind: loopback by default; "0.0.0.0" serves every interface. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 picks a free one ({@link SemblanceServer#port()} says which). */
    public Builder port(int port) {
      checkArgument(port >= 0 && port <= 65535, "port out of range: %s", port);
      this.port = port;
      return this;
    }

    /** The largest request body, 16 MiB by default; larger ones get 413. */
    public Builder maxBodyBytes(long maxBodyBytes) {
      checkArgument(maxBodyBytes >= 1024, "a body limit under 1 KiB leaves no room for an image");
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * Requests per second each key may make on average, and in a burst (20 and 40 by default); more
     * get 429 with {@code Retry-After}. A rate of 0 turns the limit off.
     */
    public Builder rateLimit(double requestsPerSecond, int burst) {
      checkArgument(requestsPerSecond >= 0, "negative rate: %s", requestsPerSecond);
      checkArgument(burst >= 1, "burst must be at least 1: %s", burst);
      this.requestsPerSecond = requestsPerSecond;
      this.burst = burst;
      return this;
    }

    /**
     * The gate every enrolled face passes, or null for none. By default {@link
     * QualityPolicy#DEFAULT} when the encoder measures quality, else none (with a warning). A
     * policy given here is never skipped: {@link #start()} refuses an encoder that cannot measure
     * what it needs.
     */
    public Builder enrolmentPolicy(QualityPolicy policy) {
      this.enrolmentPolicy = policy;
      this.enrolmentPolicySet = true;
      return this;
    }

    /** The verifier of {@code /verify} (the default threshold unless given). */
    public Builder verifier(Verifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /** Origins whose pages may call the API from a browser; none by default (CORS off). */
    public Builder corsOrigins(List<String> origins) {
      this.corsOrigins = List.copyOf(origins);
      return this;
    }

    /** How many images are decoded and encoded at once (the cores, by default). */
    public Builder inferenceConcurrency(int images) {
      checkArgument(images >= 1, "at least one image at a time: %s", images);
      this.inferenceConcurrency = images;
      return this;
    }

    /**
     * How many requests may wait for a model thread (8 per thread by default); more get 503 {@code
     * busy} at once, before their bodies are read. Each waiting request holds its body in memory.
     */
    public Builder inferenceQueue(int requests) {
      checkArgument(requests >= 1, "at least one request must be able to wait: %s", requests);
      this.inferenceQueue = requests;
      return this;
    }

    /**
     * How long after it arrived a request may still start on the models (10 s by default); one that
     * has not started by then gets 503 {@code busy}.
     */
    public Builder queueTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative(), "negative timeout: %s", timeout);
      this.queueTimeout = timeout;
      return this;
    }

    /** How long a connection may stay silent, mid-request or between requests (30 s). */
    public Builder idleTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * Reverse proxies whose {@code X-Forwarded-For} is believed for the audit log's client address
     * (exact addresses, as the peer's address reads, e.g. {@code 10.0.0.2}); none by default.
     */
    public Builder trustedProxies(List<String> addresses) {
      this.trustedProxies = List.copyOf(addresses);
      return this;
    }

    /**
     * How long {@link SemblanceServer#close()} keeps serving after readiness turns 503, so that a
     * load balancer stops sending requests first (0 by default; a few seconds behind one).
     */
    public Builder drainDelay(Duration delay) {
      checkArgument(!delay.isNegative(), "negative delay: %s", delay);
      this.drainDelay = delay;
      return this;
    }

    /**
     * Starts the server; it serves until {@link SemblanceServer#close()}.
     *
     * @throws IllegalStateException if the enrolment policy or the verifier needs quality or
     *     liveness that the encoder does not measure: such a gate would otherwise be skipped
     */
    public SemblanceServer start() {
      QualityPolicy policy = enrolmentPolicy;
      if (!enrolmentPolicySet) {
        policy = encoder.measuresQuality() ? QualityPolicy.DEFAULT : null;
        if (policy == null) {
          log.warn("the encoder measures no quality: enrolments pass no quality gate");
        }
      }
      if (policy != null && !encoder.measuresQuality()) {
        throw new IllegalStateException(
            "the enrolment policy needs quality measurements, which the encoder does not make:"
                + " build it with quality(true), or give enrolmentPolicy(null)");
      }
      if ((policy != null && policy.requireLive() || verifier.requiresLiveness())
          && !encoder.measuresLiveness()) {
        throw new IllegalStateException(
            "the "
                + (verifier.requiresLiveness() ? "verifier" : "enrolment policy")
                + " requires liveness, which the encoder does not measure: build it with"
                + " liveness(true)");
      }
      if (!keys.hasLiveKey()) {
        log.warn("no API key can be used: every /api call will be refused until one is added");
      }
      Api api =
          new Api(
              encoder,
              gallery,
              keys,
              new Api.Settings(
                  host,
                  port,
                  maxBodyBytes,
                  requestsPerSecond,
                  burst,
                  policy,
                  verifier,
                  corsOrigins,
                  inferenceConcurrency,
                  inferenceQueue > 0 ? inferenceQueue : 8 * inferenceConcurrency,
                  queueTimeout,
                  idleTimeout,
                  trustedProxies,
                  drainDelay));
      SemblanceServer server = new SemblanceServer(api.start(), api);
      log.info("serving {} at {}", gallery, server.uri());
      return server;
    }
  }
}
