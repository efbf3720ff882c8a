package dev.semblance.server;

import static dev.semblance.server.Fixtures.bytes;
import static dev.semblance.server.Fixtures.portrait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.QualityPolicy;
import dev.semblance.Verifier;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service past its capacity and while it stops: 300 clients at once against two model threads,
 * a drain that finishes what it admitted, and gates that the encoder cannot serve.
 */
class ServerCapacityTest {
  @TempDir static Path dir;
  private static Encoder encoder;
  private static Gallery gallery;
  private static ApiKeys keys;
  private static String door;

  @BeforeAll
  static void start() {
    Fixtures.group("bbt3.jpg"); // skips the class without the test data
    encoder = Encoder.builder().quality(true).build();
    gallery = Gallery.open(dir.resolve("gallery"), encoder);
    keys = ApiKeys.open(dir.resolve("api-keys.tsv"));
    door = keys.add(Role.RECOGNIZE, "door").secret();
    for (String person : Fixtures.CAST) {
      gallery.enroll(
          person, encoder.encode(bytes(portrait(person, 1))).get(0).embedding()); // one each
    }
  }

  @AfterAll
  static void stop() {
    if (gallery != null) {
      gallery.close();
      encoder.close();
    }
  }

  /** One request's answer, when it was sent, and how long it took. */
  private record Timed(int status, String code, long sent, double millis) {}

  @Test
  void pastCapacityTheExcessGets503AtOnceAndHealthStaysFast() throws Exception {
    int clients = Integer.getInteger("semblance.overload.clients", 300);
    Duration run = Duration.ofSeconds(Long.getLong("semblance.overload.seconds", 6));
    Duration queueTimeout = Duration.ofSeconds(2);
    try (SemblanceServer server =
        SemblanceServer.builder(encoder, gallery, keys)
            .port(0)
            .rateLimit(0, 1)
            .inferenceConcurrency(2)
            .queueTimeout(queueTimeout)
            .start()) {
      Http probe = new Http(server.uri()); // its own connection, as a kubelet's
      // 300 clients as chains of asynchronous requests on a few threads: the test's own CPU
      // stays small beside the server's on a two-core machine.
      HttpClient http = HttpClient.newHttpClient();
      String boundary = "semblance-overload";
      HttpRequest recognize =
          HttpRequest.newBuilder(server.uri().resolve("api/v1/recognize"))
              .header("X-Api-Key", door)
              .header("Content-Type", "multipart/form-data; boundary=" + boundary)
              .timeout(Duration.ofSeconds(60))
              .POST(HttpRequest.BodyPublishers.ofByteArray(form(boundary, portrait("penny", 3))))
              .build();
      ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
      List<Timed> answers = Collections.synchronizedList(new ArrayList<>());
      List<Double> health = new ArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong longestRetryAfter = new AtomicLong();
      AtomicInteger unanswered = new AtomicInteger();
      Runnable[] client = new Runnable[1];
      client[0] =
          () -> {
            if (!running.get()) {
              return;
            }
            long sent = System.nanoTime();
            unanswered.incrementAndGet();
            http.sendAsync(recognize, HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                    (reply, failure) -> {
                      unanswered.decrementAndGet();
                      int status = failure == null ? reply.statusCode() : -1;
                      answers.add(
                          new Timed(
                              status,
                              status == 503 ? code(reply.body()) : "",
                              sent,
                              (System.nanoTime() - sent) / 1e6));
                      long wait = 0;
                      if (status == 503) { // a client that honours Retry-After
                        wait =
                            Long.parseLong(reply.headers().firstValue("Retry-After").orElse("0"));
                        longestRetryAfter.accumulateAndGet(wait, Math::max);
                      }
                      retries.schedule(client[0], wait, TimeUnit.SECONDS);
                    });
          };
      for (int i = 0; i < clients; i++) {
        client[0].run();
      }
      Thread.sleep(2000); // the first rush, while the JIT warms up, is not measured
      long start = System.nanoTime();
      long end = start + run.toNanos();
      while (System.nanoTime() < end) { // a probe every 20 ms, as a kubelet does every few s
        long sent = System.nanoTime();
        assertThat(probe.get("/health", null).status()).isEqualTo(200);
        health.add((System.nanoTime() - sent) / 1e6);
        Thread.sleep(20);
      }
      running.set(false);
      retries.shutdownNow(); // clients waiting out a Retry-After stop there
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (unanswered.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      List<Timed> measured;
      synchronized (answers) {
        measured = answers.stream().filter(a -> a.sent() >= start && a.sent() <= end).toList();
      }
      List<Double> served = millis(measured, 200);
      List<Double> refused = millis(measured, 503);
      String figures =
          String.format(
              "%d clients, %.0f s: %d served (%.1f/s, p50 %.0f ms, p99 %.0f ms, max %.0f ms),"
                  + " %d refused 503 (p50 %.1f ms, p99 %.1f ms, max %.0f ms; Retry-After up to"
                  + " %d s), other %d; /health p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d"
                  + " probes",
              clients,
              run.toMillis() / 1e3,
              served.size(),
              served.size() / (run.toMillis() / 1e3),
              pct(served, 50),
              pct(served, 99),
              pct(served, 100),
              refused.size(),
              pct(refused, 50),
              pct(refused, 99),
              pct(refused, 100),
              longestRetryAfter.get(),
              measured.size() - served.size() - refused.size(),
              pct(health, 50),
              pct(health, 99),
              pct(health, 100),
              health.size());
      System.out.println("overload: " + figures);
      assertThat(measured).as(figures).allMatch(a -> a.status() == 200 || a.status() == 503);
      assertThat(measured.stream().filter(a -> a.status() == 503))
          .as(figures)
          .allMatch(a -> a.code().equals("busy"));
      assertThat(served).as(figures).isNotEmpty();
      assertThat(refused).as("the load was past capacity: %s", figures).isNotEmpty();
      // Told to wait in proportion to the excess, 300 clients do not come back every second.
      assertThat(longestRetryAfter.get()).as(figures).isGreaterThan(1);
      // No admitted request waits past the queue timeout (plus the time its own work takes).
      assertThat(pct(served, 100)).as(figures).isLessThan(queueTimeout.toMillis() + 1000);
      // The excess is told at once, and the probes are answered while the models are busy.
      assertThat(pct(refused, 99)).as(figures).isLessThan(100);
      assertThat(pct(health, 99)).as(figures).isLessThan(50);
    }
  }

  private static String code(String body) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("code").asText();
    } catch (java.io.IOException e) {
      return "not JSON";
    }
  }

  private static byte[] form(String boundary, Path photo) {
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] tail =
        ("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] image = bytes(photo);
    byte[] body = new byte[head.length + image.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(image, 0, body, head.length, image.length);
    System.arraycopy(tail, 0, body, head.length + image.length, tail.length);
    return body;
  }

  private static Thread started(Runnable work) {
    Thread thread = new Thread(work);
    thread.start();
    return thread;
  }

  private static List<Double> millis(List<Timed> answers, int status) {
    synchronized (answers) {
      return answers.stream().filter(a -> a.status() == status).map(Timed::millis).toList();
    }
  }

  private static double pct(List<Double> values, int percentile) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size()); // nearest rank
    return sorted.get(Math.max(0, rank - 1));
  }

  @Test
  void closingDrainsWhatItAdmittedAndReadinessSaysSoFirst() throws Exception {
    SemblanceServer server =
        SemblanceServer.builder(encoder, gallery, keys)
            .port(0)
            .rateLimit(0, 1)
            .drainDelay(Duration.ofMillis(800))
            .start();
    Http http = new Http(server.uri());
    int port = server.port();
    byte[] group = bytes(Fixtures.group("bbt4.jpg"));
    List<Http.Reply> inFlight = Collections.synchronizedList(new ArrayList<>());
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clients.add(
          started(
              () ->
                  inFlight.add(http.multipart("/api/v1/recognize", door, Map.of("file", group)))));
    }
    Thread.sleep(100); // the requests are in
    Thread closer = started(server::close);
    Thread.sleep(200);
    Http.Reply ready = http.get("/health/ready", null);
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().get("status").asText()).isEqualTo("draining");
    assertThat(http.get("/health/live", null).status()).isEqualTo(200);
    for (Thread t : clients) {
      t.join(60_000);
    }
    closer.join(60_000);
    assertThat(inFlight).hasSize(6).allMatch(r -> r.status() == 200, "every admitted one served");
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(ConnectException.class);
    server.close(); // idempotent
  }

  @Test
  void aGateTheEncoderCannotServeStopsTheServerFromStarting() {
    try (Encoder plain = Encoder.builder().build();
        Gallery empty = Gallery.create(plain)) {
      assertThatThrownBy(
              () ->
                  SemblanceServer.builder(plain, empty, keys)
                      .port(0)
                      .enrolmentPolicy(QualityPolicy.DEFAULT)
                      .start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("quality(true)");
      assertThatThrownBy(
              () ->
                  SemblanceServer.builder(plain, empty, keys)
                      .port(0)
                      .enrolmentPolicy(null)
                      .verifier(Verifier.withDefaultThreshold().requiringLiveness())
                      .start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("liveness(true)");
    }
    assertThatThrownBy(
            () ->
                SemblanceServer.builder(encoder, gallery, keys)
                    .port(0)
                    .enrolmentPolicy(QualityPolicy.DEFAULT.requiringLiveness())
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("liveness(true)");
  }
}
