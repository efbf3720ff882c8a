package dev.semblance.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.client.SemblanceApiException;
import dev.semblance.client.SemblanceClient;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import dev.semblance.testing.TestData;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas of the service over one OpenSearch index of 100,000 identities: recognize throughput and
 * latency through one replica and through two, each in its own JVM, on this machine with the node
 * (in this JVM) and the clients. Not part of the suite: run with {@code mvn -pl opensearch test
 * -Dtest=ReplicaBenchmark -Dsemblance.replicaBench=true}.
 */
class ReplicaBenchmark {
  private static final int IDENTITIES =
      Integer.getInteger("semblance.replicaBench.identities", 100_000);
  private static final int SECONDS = 20;

  @TempDir Path dir;

  @Test
  void measure() throws Exception {
    assumeTrue(
        Boolean.getBoolean("semblance.replicaBench"), "run with -Dsemblance.replicaBench=true");
    Path cast = TestData.dir("tv-characters");
    byte[] enrolled = Files.readAllBytes(cast.resolve("penny/penny1.png"));
    byte[] probe = Files.readAllBytes(cast.resolve("penny/penny3.png"));
    LfwFaces faces = LfwFaces.load(150);
    String admin = ApiKeys.open(dir.resolve("api-keys.tsv")).add(Role.ADMIN, "bench").secret();
    try (TestCluster cluster = TestCluster.start(dir.resolve("node"))) {
      long start = System.nanoTime();
      try (Gallery gallery =
          OpenSearchGallery.builder(cluster.client(), "staff")
              .embedder(faces.embedderId, faces.dimension)
              .shards(1, 0)
              .create()) {
        List<Embedding> distractors = faces.distractors(IDENTITIES - 1, 42);
        Map<String, List<Embedding>> batch = new LinkedHashMap<>();
        for (int i = 0; i < distractors.size(); i++) {
          batch.put(String.format(Locale.ROOT, "synthetic-%06d", i), List.of(distractors.get(i)));
          if (batch.size() == 5000 || i == distractors.size() - 1) {
            gallery.enrollAll(batch);
            batch.clear();
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%,d synthetic identities indexed in %.0f s; JVM %s, %d cores%n",
          IDENTITIES - 1,
          (System.nanoTime() - start) / 1e9,
          Runtime.version(),
          Runtime.getRuntime().availableProcessors());
      List<Process> replicas = new ArrayList<>();
      try {
        replicas.add(
            Replicas.start(cluster, dir, "a", "-Xmx2g", "--add-modules", "jdk.incubator.vector"));
        URI a = Replicas.await(replicas.get(0), dir, "a", Duration.ofSeconds(180));
        SemblanceClient clientA = SemblanceClient.builder(a).apiKey(admin).build();
        clientA.createSubject("penny", enrolled);
        SemblanceClient.Recognized seen = clientA.recognize(probe);
        assertThat(seen.gallerySize()).isEqualTo(IDENTITIES);
        System.out.printf(
            Locale.ROOT,
            "probe answered %s at threshold %.3f for %,d identities%n",
            seen.faces().get(0).match() == null ? "unknown" : seen.faces().get(0).match().subject(),
            seen.threshold(),
            seen.gallerySize());
        System.out.println("replicas | clients | req/s | 503/s | p50 ms | p99 ms");
        for (int clients : new int[] {1, 8, 32}) {
          AtomicInteger refused = new AtomicInteger();
          report(1, clients, load(List.of(clientA), clients, probe, refused), refused.get());
        }
        replicas.add(
            Replicas.start(cluster, dir, "b", "-Xmx2g", "--add-modules", "jdk.incubator.vector"));
        URI b = Replicas.await(replicas.get(1), dir, "b", Duration.ofSeconds(180));
        SemblanceClient clientB = SemblanceClient.builder(b).apiKey(admin).build();
        for (int clients : new int[] {8, 32}) {
          AtomicInteger refused = new AtomicInteger();
          report(
              2, clients, load(List.of(clientA, clientB), clients, probe, refused), refused.get());
        }
      } finally {
        for (Process p : replicas) {
          p.destroyForcibly();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * Latencies in ms of {@code clients} closed-loop clients over {@link #SECONDS}, after 5 s; a
   * refused client waits its Retry-After, counted in {@code refused}.
   */
  private static List<Double> load(
      List<SemblanceClient> replicas, int clients, byte[] probe, AtomicInteger refused)
      throws InterruptedException {
    List<Double> millis = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    long from = System.nanoTime() + 5_000_000_000L;
    long to = from + SECONDS * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      SemblanceClient client = replicas.get(c % replicas.size());
      Thread t =
          new Thread(
              () -> {
                while (running.get()) {
                  long sent = System.nanoTime();
                  try {
                    client.recognize(probe);
                  } catch (SemblanceApiException e) {
                    if (!e.isRetryable()) {
                      throw e;
                    }
                    if (sent >= from && sent < to) {
                      refused.incrementAndGet();
                    }
                    sleep(e.retryAfterSeconds());
                    continue;
                  }
                  if (sent >= from && sent < to) {
                    millis.add((System.nanoTime() - sent) / 1e6);
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    Thread.sleep((to - System.nanoTime()) / 1_000_000);
    running.set(false);
    for (Thread t : threads) {
      t.join(60_000);
    }
    return millis;
  }

  private static void report(int replicas, int clients, List<Double> millis, int refused) {
    List<Double> sorted = millis.stream().sorted().toList();
    System.out.printf(
        Locale.ROOT,
        "%8d | %7d | %5.1f | %5.1f | %6.0f | %6.0f%n",
        replicas,
        clients,
        sorted.size() / (double) SECONDS,
        refused / (double) SECONDS,
        sorted.get(sorted.size() / 2),
        sorted.get(Math.max(0, (int) Math.ceil(0.99 * sorted.size()) - 1)));
  }

  private static void sleep(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
