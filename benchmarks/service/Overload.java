import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closed-loop load on a running service: N clients each send recognize requests back to back
 * (after a 503 they wait its Retry-After, 1 s if none), while a probe asks /health every 100 ms on
 * a connection of its own. Per number of clients, after a 3 s warm-up, prints what was served and
 * refused per second, the latency of admitted requests, of refusals and of the probe, and the CPU
 * the server (given its process id) and these clients used, in cores.
 *
 *   java Overload.java URL API_KEY PHOTO CLIENTS,... SECONDS [SERVER_PID]
 */
public class Overload {
  record Answer(int status, double millis) {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    String key = args[1];
    byte[] photo = Files.readAllBytes(Path.of(args[2]));
    long seconds = Long.parseLong(args[4]);
    byte[] body = form(photo);
    long serverPid = args.length > 5 ? Long.parseLong(args[5]) : -1;
    System.out.println(
        "clients | served/s | 503/s | admitted p50 p99 max ms | 503 p99 max ms | /health p50 p99 max ms | other | cores: server, clients");
    for (String level : args[3].split(",")) {
      int clients = Integer.parseInt(level);
      List<HttpClient> pool = new ArrayList<>();
      for (int i = 0; i < Math.max(1, clients / 50); i++) {
        pool.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
      }
      List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
      List<Double> health = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean running = new AtomicBoolean(true);
      long[] window = new long[2];
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        HttpClient http = pool.get(c % pool.size());
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    long sent = System.nanoTime();
                    int status;
                    long wait = 0;
                    try {
                      HttpResponse<Void> r =
                          http.send(
                              HttpRequest.newBuilder(base.resolve("api/v1/recognize"))
                                  .header("X-Api-Key", key)
                                  .header("Content-Type", "multipart/form-data; boundary=b")
                                  .timeout(Duration.ofSeconds(60))
                                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                  .build(),
                              HttpResponse.BodyHandlers.discarding());
                      status = r.statusCode();
                      if (status == 503) {
                        wait = r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L);
                      }
                    } catch (Exception e) {
                      status = -1;
                      wait = 1;
                    }
                    if (sent >= window[0] && sent <= window[1]) {
                      answers.add(new Answer(status, (System.nanoTime() - sent) / 1e6));
                    }
                    sleep(wait * 1000);
                  }
                });
        t.start();
        threads.add(t);
      }
      HttpClient probe = HttpClient.newHttpClient();
      window[0] = System.nanoTime() + 3_000_000_000L;
      window[1] = window[0] + seconds * 1_000_000_000L;
      double[] cpu = new double[4];
      boolean measuring = false;
      while (System.nanoTime() < window[1]) {
        long sent = System.nanoTime();
        if (!measuring && sent >= window[0]) {
          measuring = true;
          cpu[0] = cpuSeconds(serverPid);
          cpu[1] = ownCpuSeconds();
        }
        try {
          probe.send(
              HttpRequest.newBuilder(base.resolve("health")).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
          // counted as slow as it was
        }
        if (sent >= window[0]) {
          health.add((System.nanoTime() - sent) / 1e6);
        }
        sleep(100);
      }
      cpu[2] = cpuSeconds(serverPid);
      cpu[3] = ownCpuSeconds();
      running.set(false);
      for (Thread t : threads) {
        t.join(90_000);
      }
      List<Double> served = millis(answers, 200);
      List<Double> refused = millis(answers, 503);
      long other = answers.stream().filter(a -> a.status() != 200 && a.status() != 503).count();
      System.out.printf(
          Locale.ROOT,
          "%7d | %8.1f | %5.1f | %6.0f %6.0f %6.0f | %6.0f %6.0f | %5.1f %6.1f %7.1f | %d | %.2f, %.2f%n",
          clients,
          served.size() / (double) seconds,
          refused.size() / (double) seconds,
          pct(served, 50),
          pct(served, 99),
          pct(served, 100),
          pct(refused, 99),
          pct(refused, 100),
          pct(health, 50),
          pct(health, 99),
          pct(health, 100),
          other,
          (cpu[2] - cpu[0]) / seconds,
          (cpu[3] - cpu[1]) / seconds);
      sleep(3000); // let the server's queue empty between levels
    }
  }

  /** User and system CPU seconds of a process, from /proc (NaN without one). */
  static double cpuSeconds(long pid) {
    if (pid < 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // clock ticks of 10 ms
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  static double ownCpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  static List<Double> millis(List<Answer> answers, int status) {
    synchronized (answers) {
      return answers.stream().filter(a -> a.status() == status).map(Answer::millis).toList();
    }
  }

  static double pct(List<Double> values, int percentile) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static byte[] form(byte[] photo) {
    byte[] head =
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\r\n".getBytes();
    byte[] tail = "\r\n--b--\r\n".getBytes();
    byte[] body = new byte[head.length + photo.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(photo, 0, body, head.length, photo.length);
    System.arraycopy(tail, 0, body, head.length + photo.length, tail.length);
    return body;
  }
}
