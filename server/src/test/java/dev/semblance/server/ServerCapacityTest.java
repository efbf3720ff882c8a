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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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
      Http http = new Http(server.uri());
      Http probe = new Http(server.uri()); // its own connection, as a kubelet's
      byte[] photo = bytes(portrait("penny", 3));
      List<Timed> answers = Collections.synchronizedList(new ArrayList<>());
      List<Double> health = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch ready = new CountDownLatch(clients);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        threads.add(
            started(
                () -> {
                  ready.countDown();
                  while (running.get()) {
                    long sent = System.nanoTime();
                    Http.Reply reply =
                        http.multipart("/api/v1/recognize", door, Map.of("file", photo));
                    answers.add(
                        new Timed(
                            reply.status(),
                            reply.status() == 200 ? "" : reply.code(),
                            sent,
                            (System.nanoTime() - sent) / 1e6));
                    if (reply.status() == 503) { // a client that honours Retry-After
                      sleep(reply.headers().firstValue("Retry-After").orElseThrow());
                    }
                  }
                }));
      }
      ready.await();
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
      for (Thread t : threads) {
        t.join(30_000);
      }
      answers.removeIf(a -> a.sent() < start || a.sent() > end);
      List<Double> served = millis(answers, 200);
      List<Double> refused = millis(answers, 503);
      String figures =
          String.format(
              "%d clients, %.0f s: %d served (%.1f/s, p50 %.0f ms, p99 %.0f ms, max %.0f ms),"
                  + " %d refused 503 (p50 %.1f ms, p99 %.1f ms, max %.0f ms), other %d;"
                  + " /health p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d probes",
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
              answers.size() - served.size() - refused.size(),
              pct(health, 50),
              pct(health, 99),
              pct(health, 100),
              health.size());
      System.out.println("overload: " + figures);
      assertThat(answers).as(figures).allMatch(a -> a.status() == 200 || a.status() == 503);
      assertThat(answers.stream().filter(a -> a.status() == 503))
          .as(figures)
          .allMatch(a -> a.code().equals("busy"));
      assertThat(served).as(figures).isNotEmpty();
      // No admitted request waits past the queue timeout (plus the time its own work takes).
      assertThat(pct(served, 100)).as(figures).isLessThan(queueTimeout.toMillis() + 1000);
      // The excess is told at once, and the probes are answered while the models are busy.
      assertThat(pct(refused, 99)).as(figures).isLessThan(100);
      assertThat(pct(health, 99)).as(figures).isLessThan(50);
    }
  }

  private static void sleep(String seconds) {
    try {
      Thread.sleep(Long.parseLong(seconds) * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
