package dev.semblance.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.client.SemblanceApiException;
import dev.semblance.client.SemblanceClient;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import dev.semblance.testing.TestData;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of the service, each in its own JVM, over one index of a real OpenSearch node: what
 * one enrols the other recognises, and when one is killed with SIGKILL mid-enrolment the other
 * keeps answering and holds every enrolment that was acknowledged.
 */
class ReplicatedServersTest {
  private static final List<String> CAST =
      List.of("amy", "bernadette", "howard", "leonard", "penny", "raj", "sheldon", "stuart");

  @TempDir Path dir;

  @Test
  void whatOneReplicaEnrolsTheOtherRecognisesAndAKilledOneLosesNothing() throws Exception {
    Path cast = TestData.dir("tv-characters");
    ApiKeys keys = ApiKeys.open(dir.resolve("api-keys.tsv"));
    String admin = keys.add(Role.ADMIN, "replicas").secret();
    String door = keys.add(Role.RECOGNIZE, "door").secret();
    List<byte[]> photos = new ArrayList<>();
    for (String person : CAST) {
      for (int n = 1; n <= 5; n++) {
        photos.add(Files.readAllBytes(cast.resolve(person + "/" + person + n + ".png")));
      }
    }
    byte[] group = Files.readAllBytes(cast.resolve("group-photos/bbt3.jpg"));
    try (TestCluster cluster = TestCluster.start(dir.resolve("node"))) {
      Process a = Replicas.start(cluster, dir, "a", "-Xmx1g");
      Process b = Replicas.start(cluster, dir, "b", "-Xmx1g");
      try {
        URI uriA = Replicas.await(a, dir, "a", Duration.ofSeconds(120));
        URI uriB = Replicas.await(b, dir, "b", Duration.ofSeconds(120));
        SemblanceClient adminA = SemblanceClient.builder(uriA).apiKey(admin).build();
        SemblanceClient adminB = SemblanceClient.builder(uriB).apiKey(admin).build();
        SemblanceClient doorB = SemblanceClient.builder(uriB).apiKey(door).build();

        assertThat(doorB.recognize(group).gallerySize()).isZero(); // b has counted: none
        // Enrolled through one replica, recognised through the other at once.
        for (String person : CAST) {
          adminA.createSubject(person, photos.get(CAST.indexOf(person) * 5));
        }
        List<String> named = new ArrayList<>();
        for (SemblanceClient.Face face : doorB.recognize(group).faces()) {
          named.add(face.match() == null ? "unknown" : face.match().subject());
        }
        assertThat(named).containsExactlyInAnyOrder("sheldon", "howard", "penny", "raj", "leonard");
        assertThat(doorB.verify(photos.get(1), "amy").match()).isTrue();
        // b counts the subjects again in the background within seconds: never per request.
        long countDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int counted = 0;
        while (counted != CAST.size() && System.nanoTime() < countDeadline) {
          counted = doorB.recognize(photos.get(0)).gallerySize();
          Thread.sleep(250);
        }
        assertThat(counted).as("b's count of a's enrolments").isEqualTo(CAST.size());

        // SIGKILL replica a while clients enrol through it; b answers throughout.
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        java.util.Map<String, Integer> refusedByA = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answeredByB = new AtomicInteger();
        List<String> failuresOfB = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          String prefix = "c" + c + "-";
          clients.add(
              started(
                  () -> {
                    for (int n = 0; running.get(); n++) {
                      try {
                        adminA.createSubject(prefix + n, photos.get((n * 7 + 3) % photos.size()));
                        acknowledged.add(prefix + n);
                      } catch (SemblanceApiException | UncheckedIOException e) {
                        refusedByA.merge(
                            e instanceof SemblanceApiException r ? r.code() : "io",
                            1,
                            Integer::sum);
                        if (!a.isAlive()) {
                          return; // a is gone: unacknowledged, and not counted
                        }
                      }
                    }
                  }));
        }
        clients.add(
            started(
                () -> {
                  while (running.get()) {
                    try {
                      doorB.recognize(group);
                      answeredByB.incrementAndGet();
                    } catch (RuntimeException e) {
                      failuresOfB.add(e.toString());
                    }
                  }
                }));
        Thread.sleep(5000); // each enrolment waits for a refresh of the index: about one a second
        a.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int beforeKill = answeredByB.get();
        Thread.sleep(1500);
        running.set(false);
        for (Thread t : clients) {
          t.join(60_000);
        }
        assertThat(failuresOfB).as("b's answers while a was killed").isEmpty();
        assertThat(answeredByB.get()).as("b answered after a's death").isGreaterThan(beforeKill);
        assertThat(acknowledged.size())
            .as("enrolments acknowledged by a; refused: %s", refusedByA)
            .isGreaterThanOrEqualTo(3);
        Set<String> listed = new TreeSet<>();
        for (SemblanceClient.SubjectSummary s : adminB.subjects(0, 1000).subjects()) {
          listed.add(s.subject());
        }
        assertThat(listed).containsAll(acknowledged).containsAll(CAST);
      } finally {
        a.destroyForcibly();
        b.destroyForcibly();
        a.waitFor(30, TimeUnit.SECONDS);
        b.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static Thread started(Runnable work) {
    Thread thread = new Thread(work);
    thread.start();
    return thread;
  }
}
