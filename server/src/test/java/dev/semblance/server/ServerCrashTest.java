package dev.semblance.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.ChildJvm;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durability through the service: a server process is killed with SIGKILL at a random moment while
 * three clients enrol; after a restart every enrolment that was answered 201 is there.
 */
class ServerCrashTest {
  private static final Logger log = LoggerFactory.getLogger(ServerCrashTest.class);
  private static final int ROUNDS = 3;
  private static final int CLIENTS = 3;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedEnrolmentSurvivesSigkill() throws Exception {
    List<byte[]> photos = new ArrayList<>();
    for (String person : Fixtures.CAST) {
      for (int n = 1; n <= 5; n++) {
        photos.add(Fixtures.bytes(Fixtures.portrait(person, n)));
      }
    }
    String admin = ApiKeys.open(dir.resolve("api-keys.tsv")).add(Role.ADMIN, "crash").secret();
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    log.info("kill times from seed {}", seed);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    for (int round = 0; round <= ROUNDS; round++) {
      Process child = start(round);
      try {
        Http http = new Http(URI.create("http://127.0.0.1:" + awaitPort(child, round) + "/"));
        assertThat(listed(http, admin)).as("after %s kills", round).containsAll(acknowledged);
        if (round == ROUNDS) {
          break;
        }
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          String prefix = "r" + round + "c" + c + "-";
          int first = c * 7;
          Thread client =
              new Thread(
                  () -> {
                    for (int n = 0; ; n++) {
                      String name = prefix + n;
                      byte[] photo = photos.get((first + n) % photos.size());
                      try {
                        Http.Reply reply =
                            http.multipart(
                                "/api/v1/subjects", admin, Map.of("subject", name, "file", photo));
                        if (reply.status() == 201) {
                          acknowledged.add(name);
                        }
                      } catch (UncheckedIOException e) {
                        return; // the server is gone
                      }
                    }
                  });
          client.start();
          clients.add(client);
        }
        Thread.sleep(800 + random.nextInt(2500));
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (Thread client : clients) {
          client.join(60_000);
        }
        log.info("round {}: {} enrolments acknowledged so far", round, acknowledged.size());
      } finally {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(acknowledged.size()).as("the clients enrolled before the kills").isGreaterThan(10);
  }

  private Process start(int round) throws Exception {
    Path portFile = dir.resolve("port-" + round);
    return new ProcessBuilder(
            ChildJvm.java(),
            "-Xmx1g",
            "-cp",
            ChildJvm.classPath(),
            ServerChild.class.getName(),
            dir.toString(),
            portFile.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child-" + round + ".log").toFile())
        .start();
  }

  private int awaitPort(Process child, int round) throws Exception {
    Path portFile = dir.resolve("port-" + round);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.exists(portFile)) {
      assertThat(child.isAlive())
          .as("child %s: %s", round, Files.readString(dir.resolve("child-" + round + ".log")))
          .isTrue();
      assertThat(System.nanoTime()).as("child %s started in time", round).isLessThan(deadline);
      Thread.sleep(50);
    }
    return Integer.parseInt(Files.readString(portFile).trim());
  }

  private static Set<String> listed(Http http, String key) {
    Set<String> names = new TreeSet<>();
    for (int page = 0; ; page++) {
      Http.Reply reply = http.get("/api/v1/subjects?size=1000&page=" + page, key);
      assertThat(reply.status()).as("%s", reply).isEqualTo(200);
      reply.json().get("subjects").forEach(s -> names.add(s.get("subject").asText()));
      if (reply.json().get("subjects").size() < 1000) {
        return names;
      }
    }
  }
}
