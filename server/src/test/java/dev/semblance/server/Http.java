package dev.semblance.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A client of a server on loopback: JSON, multipart and raw requests with an API key. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  /** An answer: status, body text, headers, and the request that got it. */
  record Reply(String method, String path, int status, String body, HttpHeaders headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String code() {
      return json().path("code").asText();
    }

    @Override
    public String toString() {
      return method + " " + path + " -> " + status + " " + body;
    }
  }

  Http(URI base) {
    this.base = base;
  }

  /** Sends raw bytes over a new connection and returns everything the server answers. */
  String exchange(String request) {
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  Reply get(String path, String key) {
    return send("GET", path, key, HttpRequest.BodyPublishers.noBody(), null);
  }

  Reply delete(String path, String key) {
    return send("DELETE", path, key, HttpRequest.BodyPublishers.noBody(), null);
  }

  Reply json(String method, String path, String key, Object body) {
    try {
      return raw(method, path, key, JSON.writeValueAsBytes(body), "application/json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON body whose images are Base64 strings. */
  Reply base64(String path, String key, Map<String, Object> fields) {
    Map<String, Object> body = new LinkedHashMap<>();
    fields.forEach(
        (name, value) ->
            body.put(
                name, value instanceof byte[] b ? Base64.getEncoder().encodeToString(b) : value));
    return json("POST", path, key, body);
  }

  /** A multipart form: byte[] values are files, others text. */
  Reply multipart(String path, String key, Map<String, Object> fields) {
    String boundary = "----semblance" + UUID.randomUUID();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        out.write(("--" + boundary + "\r\n").getBytes(StandardCharsets.UTF_8));
        if (field.getValue() instanceof byte[] bytes) {
          out.write(
              ("Content-Disposition: form-data; name=\""
                      + field.getKey()
                      + "\"; filename=\"image.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.write(bytes);
        } else {
          out.write(
              ("Content-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.write(String.valueOf(field.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        out.write("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return raw("POST", path, key, out.toByteArray(), "multipart/form-data; boundary=" + boundary);
  }

  Reply raw(String method, String path, String key, byte[] body, String contentType) {
    return send(method, path, key, HttpRequest.BodyPublishers.ofByteArray(body), contentType);
  }

  private Reply send(
      String method, String path, String key, HttpRequest.BodyPublisher body, String contentType) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path.substring(1)))
            .timeout(Duration.ofSeconds(60))
            .method(method, body);
    if (key != null) {
      request.header("X-Api-Key", key);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(method, path, response.statusCode(), response.body(), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
