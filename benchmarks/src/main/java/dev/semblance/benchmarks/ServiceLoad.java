package dev.semblance.benchmarks;

import dev.semblance.Embedding;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.ImageFaces;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import dev.semblance.server.SemblanceServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * Load on the service, side by side with the library doing the same work: recognize on a one-face
 * 640×480 JPEG against galleries of synthetic identities, at several numbers of concurrent clients,
 * over real HTTP on loopback; then recognition under a concurrent enrol/remove load, checking that
 * no request failed and no acknowledged enrolment was lost. Bounded in requests and time.
 *
 * <p>The library side runs the server's own steps (decode, detect, embed, quality, search) on as
 * many threads as clients, under the same limit of concurrent images as the server (one per core),
 * so the difference between the two is the HTTP layer: parsing, JSON, Jetty's threads, loopback.
 *
 * <pre>
 * java -Xmx10g --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *   dev.semblance.benchmarks.ServiceLoad PHOTO [IDENTITIES,...] [CLIENTS,...] [REQUESTS]
 * </pre>
 */
public final class ServiceLoad {
  private static final int WARMUP = 40;
  private static final int ROUNDS = 4;

  private ServiceLoad() {}

  public static void main(String[] args) throws Exception {
    Path photo = Path.of(args[0]);
    int[] sizes = ints(args.length > 1 ? args[1] : "1000,1000000");
    int[] clients = ints(args.length > 2 ? args[2] : "1,8,32");
    int requests = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    byte[] jpeg = vga(photo);
    Path dir = Files.createTempDirectory("semblance-load");
    ApiKeys keys = ApiKeys.open(dir.resolve("api-keys.tsv"));
    String admin = keys.add(Role.ADMIN, "load").secret();
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(
        Locale.ROOT,
        "# %d cores, JDK %s, kernels %s, photo %s as a %d-byte 640x480 JPEG, %d requests per row%n",
        cores,
        Runtime.version(),
        Gallery.searchKernel(),
        photo.getFileName(),
        jpeg.length,
        requests);
    System.out.println(
        "identities clients | library req/s p50 p95 p99 ms | http req/s p50 p95 p99 ms | overhead"
            + " | server's own time | CPU per request, library / http");
    try (Encoder encoder = Encoder.builder().quality(true).build()) {
      for (int size : sizes) {
        try (Gallery gallery = synthetic(encoder, size);
            SemblanceServer server =
                SemblanceServer.builder(encoder, gallery, keys).port(0).rateLimit(0, 1).start()) {
          Semaphore models = new Semaphore(cores, true);
          Work library =
              () -> {
                models.acquire();
                try {
                  ImageFaces faces = encoder.encodeEach(List.of(jpeg), List.of("photo")).get(0);
                  List<Embedding> probes = faces.faces().stream().map(Face::embedding).toList();
                  if (gallery.identifyAll(probes, 3).size() != 1) {
                    throw new IllegalStateException("expected one face");
                  }
                } finally {
                  models.release();
                }
                return true;
              };
          HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
          HttpRequest recognize =
              multipart(server.uri().resolve("api/v1/recognize?limit=3"), admin, jpeg, null);
          Work service =
              () -> {
                HttpResponse<String> r = http.send(recognize, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                  throw new IllegalStateException(r.statusCode() + " " + r.body());
                }
                return true;
              };
          run(library, 1, WARMUP);
          run(service, 1, WARMUP);
          for (int c : clients) {
            // Alternating rounds: drift in the machine's speed falls on both sides alike.
            Result lib = Result.NONE;
            Result api = Result.NONE;
            double[] before = handlerSeconds(http, server);
            for (int round = 0; round < ROUNDS; round++) {
              lib = lib.plus(run(library, c, requests / ROUNDS));
              api = api.plus(run(service, c, requests / ROUNDS));
            }
            double[] after = handlerSeconds(http, server);
            double handlerMs = 1000 * (after[0] - before[0]) / (after[1] - before[1]);
            System.out.printf(
                Locale.ROOT,
                "%10d %7d | %7.1f %6.1f %6.1f %6.1f | %7.1f %6.1f %6.1f %6.1f | %+.1f%% (p50 %+.1f%%)"
                    + " | in handler %.1f ms | CPU %.1f / %.1f ms%n",
                size,
                c,
                lib.throughput(),
                lib.percentile(50),
                lib.percentile(95),
                lib.percentile(99),
                api.throughput(),
                api.percentile(50),
                api.percentile(95),
                api.percentile(99),
                100 * (lib.throughput() / api.throughput() - 1),
                100 * (api.percentile(50) / lib.percentile(50) - 1),
                handlerMs,
                lib.cpuMillis(),
                api.cpuMillis());
          }
          if (size == sizes[0]) {
            churn(server, gallery, admin, jpeg, requests);
          }
        }
      }
    }
  }

  /**
   * Eight clients recognize while two enrol and remove subjects: every request must succeed and the
   * gallery must hold exactly the enrolments not removed.
   */
  private static void churn(
      SemblanceServer server, Gallery gallery, String key, byte[] jpeg, int requests)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int before = gallery.size();
    Set<String> kept = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger names = new AtomicInteger();
    Work writer =
        () -> {
          String name = "churn-" + names.incrementAndGet();
          HttpResponse<String> r =
              http.send(
                  multipart(server.uri().resolve("api/v1/subjects"), key, jpeg, name),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 201) {
            failures.incrementAndGet();
            throw new IllegalStateException("enrol " + r.statusCode() + " " + r.body());
          }
          if (names.get() % 2 == 0) {
            HttpResponse<String> d =
                http.send(
                    HttpRequest.newBuilder(server.uri().resolve("api/v1/subjects/" + name))
                        .header("X-Api-Key", key)
                        .DELETE()
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (d.statusCode() != 200) {
              failures.incrementAndGet();
              throw new IllegalStateException("remove " + d.statusCode() + " " + d.body());
            }
          } else {
            kept.add(name);
          }
          return true;
        };
    HttpRequest recognize = multipart(server.uri().resolve("api/v1/recognize"), key, jpeg, null);
    Work reader =
        () -> {
          HttpResponse<String> r = http.send(recognize, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            failures.incrementAndGet();
            throw new IllegalStateException("recognize " + r.statusCode());
          }
          return true;
        };
    Thread writers = new Thread(() -> run(writer, 2, requests / 2));
    writers.start();
    Result read = run(reader, 8, requests);
    writers.join();
    long missing = kept.stream().filter(n -> !gallery.contains(n)).count();
    System.out.printf(
        Locale.ROOT,
        "# churn: %d recognitions at %.1f req/s (p99 %.1f ms) beside %d enrolments (half removed);"
            + " failed requests %d, lost enrolments %d, gallery %d -> %d (expected %d)%n",
        requests,
        read.throughput(),
        read.percentile(99),
        names.get(),
        failures.get() + read.errors(),
        missing,
        before,
        gallery.size(),
        before + kept.size());
  }

  /** The server's own account of recognize requests: seconds spent in the handler, and count. */
  private static double[] handlerSeconds(HttpClient http, SemblanceServer server) throws Exception {
    String metrics =
        http.send(
                HttpRequest.newBuilder(server.uri().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double[] sumAndCount = new double[2];
    String series = "{method=\"POST\",route=\"/api/v1/recognize\",status=\"200\"} ";
    for (String line : metrics.split("\n")) {
      if (line.startsWith("semblance_http_requests_seconds_sum" + series)) {
        sumAndCount[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } else if (line.startsWith("semblance_http_requests_seconds_count" + series)) {
        sumAndCount[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sumAndCount;
  }

  private interface Work {
    boolean call() throws Exception;
  }

  private record Result(double seconds, double[] millis, int errors, double cpuSeconds) {
    static final Result NONE = new Result(0, new double[0], 0, 0);

    Result plus(Result more) {
      double[] all = Arrays.copyOf(millis, millis.length + more.millis.length);
      System.arraycopy(more.millis, 0, all, millis.length, more.millis.length);
      return new Result(
          seconds + more.seconds, all, errors + more.errors, cpuSeconds + more.cpuSeconds);
    }

    /** Milliseconds of CPU the whole process spent per request (client and server alike). */
    double cpuMillis() {
      return 1000 * cpuSeconds / millis.length;
    }

    double throughput() {
      return millis.length / seconds;
    }

    double percentile(int p) {
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
  }

  /** {@code count} calls spread over {@code threads}; latency of each, wall time of all. */
  private static Result run(Work work, int threads, int count) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    double[] millis = new double[count];
    AtomicLong done = new AtomicLong();
    List<Thread> pool = new ArrayList<>();
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                  long t0 = System.nanoTime();
                  try {
                    work.call();
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    System.err.println("error: " + e);
                  }
                  millis[i] = (System.nanoTime() - t0) / 1e6;
                  done.incrementAndGet();
                }
              });
      thread.start();
      pool.add(thread);
    }
    for (Thread thread : pool) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new Result(
        (System.nanoTime() - start) / 1e9, millis, errors.get(), (processCpuNanos() - cpu) / 1e9);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** {@code size} identities of one random template each; the probe's person is not among them. */
  private static Gallery synthetic(Encoder encoder, int size) {
    Gallery gallery = Gallery.create(encoder, GalleryOptions.defaults());
    SplittableRandom random = new SplittableRandom(size);
    for (int i = 0; i < size; i++) {
      gallery.enroll(
          String.format(Locale.ROOT, "id%07d", i), RandomVectors.unit(random, encoder.dimension()));
    }
    return gallery;
  }

  /** The photo scaled into a 640×480 frame (grey borders), as a camera would send it. */
  private static byte[] vga(Path photo) throws IOException {
    BufferedImage in = ImageIO.read(photo.toFile());
    BufferedImage frame = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame.createGraphics();
    g.setColor(new Color(0x80, 0x80, 0x80));
    g.fillRect(0, 0, 640, 480);
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    double scale = Math.min(640.0 / in.getWidth(), 480.0 / in.getHeight());
    int w = (int) (in.getWidth() * scale);
    int h = (int) (in.getHeight() * scale);
    g.drawImage(in, (640 - w) / 2, (480 - h) / 2, w, h, null);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(frame, "jpg", out);
    return out.toByteArray();
  }

  private static HttpRequest multipart(URI uri, String key, byte[] jpeg, String subject) {
    String boundary = "semblance-load";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (subject != null) {
      body.writeBytes(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n"
                  + subject
                  + "\r\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(jpeg);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(uri)
        .header("X-Api-Key", key)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build();
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
