package dev.semblance.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A typed client of the Semblance service's REST API ({@code openapi.json} of {@code semblance
 * serve}), for the services that wrap Semblance: one method per operation, answers as records, and
 * every error as a {@link SemblanceApiException} with the API's stable code.
 *
 * <pre>{@code
 * SemblanceClient door =
 *     SemblanceClient.builder(URI.create("http://semblance:8080/")).apiKey(key).build();
 * Recognized seen = door.recognize(Files.readAllBytes(photo));
 * for (Face face : seen.faces()) {
 *   System.out.println(face.match() == null ? "unknown" : face.match().subject());
 * }
 * }</pre>
 *
 * <p>What an answer holds depends on the key's role: a {@code recognize} key gets decisions only
 * ({@link Face#subjects()} and {@link Verified#similarity()} may be null); see the service's
 * documentation.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use (it holds one {@link HttpClient}); the builder
 * is not thread-safe.
 */
public final class SemblanceClient {
  private static final String API = "api/v1/";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          // A newer server may add fields; this client reads those it knows.
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final URI base;
  private final String apiKey;
  private final Duration timeout;
  private final HttpClient http;

  private SemblanceClient(Builder b) {
    this.base = b.base;
    this.apiKey = b.apiKey;
    this.timeout = b.timeout;
    this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
  }

  /** Starts describing a client of the server at {@code base}, e.g. http://host:8080/. */
  public static Builder builder(URI base) {
    return new Builder(base);
  }

  // ---- The answers, as openapi.json's schemas (names in snake_case on the wire). ----

  /** A face's box in pixels of the image sent. */
  public record Box(float left, float top, float right, float bottom) {}

  /** A landmark (eyes, nose tip, mouth corners), in pixels. */
  public record Point(float x, float y) {}

  /** An image's size in pixels. */
  public record Size(int width, int height) {}

  /** What the quality models measured of a face; {@code score} in [0, 1], higher is better. */
  public record Quality(
      float interOcularDistance,
      float sharpness,
      float brightness,
      float contrast,
      float yaw,
      float pitch,
      float roll,
      float leftEyeOpen,
      float rightEyeOpen,
      float embeddingNorm,
      float score) {}

  /** Whether a face was taken live, not replayed from a photo or screen. */
  public record Liveness(float score, float threshold, boolean live) {}

  /** A subject and its similarity to a face. */
  public record Scored(String subject, float similarity) {}

  /**
   * A face: where, how good, and for recognize the decision ({@code match}, null = unknown) and,
   * for identify and admin keys, the ranked {@code subjects}.
   */
  public record Face(
      Box box,
      float detectorScore,
      List<Point> landmarks,
      Quality quality,
      Liveness liveness,
      List<Scored> subjects,
      Scored match) {}

  /** The faces of an image. */
  public record Detected(Size image, List<Face> faces) {}

  /** Where the threshold comes from and whether its target rate of false positives is held. */
  public record ThresholdReport(
      String basis,
      Double targetFpir,
      Double expectedFpir,
      Double expectedFpirLow,
      Double expectedFpirHigh,
      boolean targetHeld,
      int selfSearches) {}

  /** The faces of an image with the open-set decision at the gallery's threshold. */
  public record Recognized(
      Size image,
      float threshold,
      ThresholdReport thresholdReport,
      int gallerySize,
      List<Face> faces) {}

  /** A comparison; {@code similarity} is null where the key may see only the decision. */
  public record Verified(
      boolean match,
      Float similarity,
      float threshold,
      Face sourceFace,
      Face targetFace,
      String subject) {}

  /** A subject and how many face examples it has. */
  public record SubjectSummary(String subject, int faces) {}

  /** A page of subjects, and how many there are in all. */
  public record SubjectPage(List<SubjectSummary> subjects, int page, int size, int total) {}

  /** A face example's id. */
  public record Example(String imageId) {}

  /** A subject's face examples. */
  public record Examples(String subject, List<Example> faces) {}

  /** An enrolled face: its subject, its id, its quality (when measured). */
  public record Enrolled(String subject, String imageId, Quality quality) {}

  /** A renamed subject. */
  public record Renamed(String subject, String previous) {}

  /** A removed subject and how many face examples went with it. */
  public record SubjectDeleted(String subject, int removedFaces) {}

  /** A removed face example, and whether it was its subject's last. */
  public record ExampleDeleted(String subject, String imageId, boolean subjectRemoved) {}

  /** The gallery after compaction. */
  public record Compacted(int subjects, int faces) {}

  /** The server's health: {@code status} is up, starting or draining. */
  public record Health(String status, boolean live, boolean ready) {}

  // ---- Operations. ----

  /** Every face in {@code image} (JPEG, PNG, …): boxes, landmarks, quality. */
  public Detected detect(byte[] image) {
    return send("POST", API + "detect", multipart(Map.of("file", image)), Detected.class);
  }

  /** Every face in {@code image} with the open-set decision (a recognize key's whole answer). */
  public Recognized recognize(byte[] image) {
    return send("POST", API + "recognize", multipart(Map.of("file", image)), Recognized.class);
  }

  /** As {@link #recognize(byte[])}, with {@code limit} ranked subjects per face (identify keys). */
  public Recognized recognize(byte[] image, int limit) {
    return send(
        "POST",
        API + "recognize?limit=" + limit,
        multipart(Map.of("file", image)),
        Recognized.class);
  }

  /** Whether the main faces of two images are the same person. */
  public Verified verify(byte[] source, byte[] target) {
    return send(
        "POST",
        API + "verify",
        multipart(fields("source", source, "target", target)),
        Verified.class);
  }

  /** Whether the main face of {@code source} is the enrolled {@code subject}. */
  public Verified verify(byte[] source, String subject) {
    return send(
        "POST",
        API + "verify",
        multipart(fields("source", source, "subject", subject)),
        Verified.class);
  }

  /** A page of the enrolled subjects, in name order (admin keys). */
  public SubjectPage subjects(int page, int size) {
    return send("GET", API + "subjects?page=" + page + "&size=" + size, null, SubjectPage.class);
  }

  /** Enrols a new subject from the main face of {@code image}; 409 if the name exists. */
  public Enrolled createSubject(String subject, byte[] image) {
    return send(
        "POST",
        API + "subjects",
        multipart(fields("subject", subject, "file", image)),
        Enrolled.class);
  }

  /** Adds the main face of {@code image} to an enrolled subject. */
  public Enrolled addFace(String subject, byte[] image) {
    return send(
        "POST",
        API + "subjects/" + segment(subject) + "/faces",
        multipart(Map.of("file", image)),
        Enrolled.class);
  }

  /** A subject's face examples. */
  public Examples faces(String subject) {
    return send("GET", API + "subjects/" + segment(subject) + "/faces", null, Examples.class);
  }

  /** Renames a subject. */
  public Renamed renameSubject(String subject, String newName) {
    return send(
        "PUT",
        API + "subjects/" + segment(subject),
        jsonBody(Map.of("subject", newName)),
        Renamed.class);
  }

  /** Removes a subject and every face example of it. */
  public SubjectDeleted deleteSubject(String subject) {
    return send("DELETE", API + "subjects/" + segment(subject), null, SubjectDeleted.class);
  }

  /** Removes one face example; the subject goes with its last. */
  public ExampleDeleted deleteFace(String subject, String imageId) {
    return send(
        "DELETE",
        API + "subjects/" + segment(subject) + "/faces/" + segment(imageId),
        null,
        ExampleDeleted.class);
  }

  /** Rewrites the gallery without what was removed (a gallery directory's server only). */
  public Compacted compact() {
    return send("POST", API + "compact", jsonBody(Map.of()), Compacted.class);
  }

  /**
   * Whether the server is ready to serve: a {@link Health} whatever the status (503 while it starts
   * or drains is an answer here, not an error).
   */
  public Health health() {
    HttpResponse<byte[]> response = exchange("GET", "health/ready", null);
    if (response.statusCode() != 200 && response.statusCode() != 503) {
      throw error(response);
    }
    return read(response, Health.class);
  }

  // ---- HTTP. ----

  private record Body(HttpRequest.BodyPublisher publisher, String contentType) {}

  private <T> T send(String method, String path, Body body, Class<T> type) {
    HttpResponse<byte[]> response = exchange(method, path, body);
    if (response.statusCode() / 100 != 2) {
      throw error(response);
    }
    return read(response, type);
  }

  private HttpResponse<byte[]> exchange(String method, String path, Body body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Accept", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.publisher());
    if (body != null) {
      request.header("Content-Type", body.contentType());
    }
    if (apiKey != null) {
      request.header("X-Api-Key", apiKey);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + base.resolve(path) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, e);
    }
  }

  private static <T> T read(HttpResponse<byte[]> response, Class<T> type) {
    try {
      return JSON.readValue(response.body(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the server's answer to "
              + response.request().uri()
              + " is not a "
              + type.getSimpleName(),
          e);
    }
  }

  private static SemblanceApiException error(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    long retryAfter =
        response.headers().firstValue("Retry-After").map(SemblanceClient::seconds).orElse(-1L);
    try {
      JsonNode error = JSON.readTree(response.body());
      List<String> reasons = new ArrayList<>();
      error.path("reasons").forEach(r -> reasons.add(r.asText()));
      if (error.hasNonNull("code")) {
        return new SemblanceApiException(
            status,
            error.get("code").asText(),
            error.path("message").asText(),
            reasons,
            retryAfter);
      }
    } catch (IOException e) {
      // not the API's JSON error: a proxy's page, say; reported below
    }
    return new SemblanceApiException(
        status,
        "http_" + status,
        "HTTP " + status + " without an API error",
        List.of(),
        retryAfter);
  }

  private static long seconds(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1; // an HTTP date: not sent by Semblance
    }
  }

  private static Map<String, Object> fields(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], Objects.requireNonNull(pairs[i + 1], (String) pairs[i]));
    }
    return map;
  }

  private static Body jsonBody(Object value) {
    try {
      return new Body(
          HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(value)),
          "application/json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A multipart form: byte arrays are files, other values text. */
  private static Body multipart(Map<String, Object> fields) {
    String boundary = "semblance-" + UUID.randomUUID();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      Objects.requireNonNull(field.getValue(), field.getKey());
      StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
      head.append("Content-Disposition: form-data; name=\"").append(field.getKey()).append('"');
      if (field.getValue() instanceof byte[]) {
        head.append("; filename=\"").append(field.getKey()).append("\"\r\n");
        head.append("Content-Type: application/octet-stream");
      }
      head.append("\r\n\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(
          field.getValue() instanceof byte[] bytes
              ? bytes
              : String.valueOf(field.getValue()).getBytes(StandardCharsets.UTF_8));
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return new Body(
        HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()),
        "multipart/form-data; boundary=" + boundary);
  }

  private static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Where the server is and how to call it.
   *
   * <p><b>Thread safety.</b> Not thread-safe.
   */
  public static final class Builder {
    private final URI base;
    private String apiKey;
    private Duration timeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);

    private Builder(URI base) {
      Objects.requireNonNull(base, "base");
      if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
        throw new IllegalArgumentException("the server's address is http(s)://HOST:PORT/: " + base);
      }
      this.base = base.getPath().endsWith("/") ? base : URI.create(base + "/");
    }

    /** The API key sent with every call ({@code X-Api-Key}). */
    public Builder apiKey(String key) {
      this.apiKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** How long a call may take in all (30 s by default) and to connect (5 s). */
    public Builder timeouts(Duration call, Duration connect) {
      if (call.isNegative() || call.isZero() || connect.isNegative() || connect.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive: " + call + ", " + connect);
      }
      this.timeout = call;
      this.connectTimeout = connect;
      return this;
    }

    public SemblanceClient build() {
      return new SemblanceClient(this);
    }
  }
}
