package dev.semblance.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.semblance.testing.Required;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Headless Chromium driven over the DevTools protocol (a WebSocket, JDK client): load a page, run
 * script in it, set a file input, and collect every console error and uncaught exception. Skips the
 * test when Chromium is not installed, or fails it where the browser is {@link Required required}.
 */
final class Browser implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();

  Browser(Path profile) throws Exception {
    Required.check(
        Required.BROWSER,
        Files.isExecutable(CHROMIUM),
        "Chromium not installed (apt-get install chromium)");
    process =
        new ProcessBuilder(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "--window-size=1200,1000",
                "about:blank")
            .redirectErrorStream(true)
            .start();
    String browserSocket = null;
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("DevTools listening on ")) {
        browserSocket = line.substring("DevTools listening on ".length()).trim();
        break;
      }
    }
    if (browserSocket == null) {
      throw new IllegalStateException("Chromium did not open its DevTools port");
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // Chromium's own log; the page's messages come over the protocol
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    drain.setDaemon(true);
    drain.start();
    URI devtools = URI.create(browserSocket);
    HttpClient client = HttpClient.newHttpClient();
    String targets =
        client
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + devtools.getHost()
                                + ":"
                                + devtools.getPort()
                                + "/json/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String pageSocket = null;
    for (JsonNode target : Http.JSON.readTree(targets)) {
      if (target.get("type").asText().equals("page")) {
        pageSocket = target.get("webSocketDebuggerUrl").asText();
      }
    }
    socket =
        client
            .newWebSocketBuilder()
            .buildAsync(URI.create(pageSocket), new Listener())
            .get(30, TimeUnit.SECONDS);
    call("Runtime.enable", Map.of());
    call("Log.enable", Map.of());
    call("Page.enable", Map.of());
  }

  /** Console errors, uncaught exceptions and failed loads seen so far. */
  List<String> errors() {
    return List.copyOf(errors);
  }

  void open(URI page) throws Exception {
    events.clear();
    call("Page.navigate", Map.of("url", page.toString()));
    waitFor(() -> events.contains("Page.loadEventFired"), "the page to load");
  }

  /** The value of a JavaScript expression (promises awaited), as JSON. */
  JsonNode eval(String expression) throws Exception {
    JsonNode result =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
    if (result.has("exceptionDetails")) {
      throw new AssertionError("script failed: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Chooses {@code file} in the file input {@code selector}, as a user would. */
  void chooseFile(String selector, Path file) throws Exception {
    int root = call("DOM.getDocument", Map.of()).get("root").get("nodeId").asInt();
    int input =
        call("DOM.querySelector", Map.of("nodeId", root, "selector", selector))
            .get("nodeId")
            .asInt();
    call(
        "DOM.setFileInputFiles",
        Map.of("nodeId", input, "files", List.of(file.toRealPath().toString())));
  }

  void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; errors: " + errors);
      }
      Thread.sleep(50);
    }
  }

  /** Waits until a JavaScript expression is true. */
  void waitForScript(String expression) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!eval(expression).asBoolean(false)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out waiting for "
                + expression
                + "; status: "
                + eval("document.getElementById('status').textContent")
                + "; errors: "
                + errors);
      }
      Thread.sleep(50);
    }
  }

  private JsonNode call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode message = Http.JSON.createObjectNode();
    message.put("id", id).put("method", method).set("params", Http.JSON.valueToTree(params));
    socket.sendText(Http.JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
    JsonNode reply = answer.get(60, TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new AssertionError(method + ": " + reply.get("error"));
    }
    return reply.get("result");
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          handle(Http.JSON.readTree(text.toString()));
        } catch (IOException e) {
          errors.add("unreadable DevTools message: " + e);
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    private void handle(JsonNode message) {
      if (message.has("id")) {
        CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
        if (answer != null) {
          answer.complete(message);
        }
        return;
      }
      String method = message.path("method").asText();
      events.add(method);
      JsonNode params = message.path("params");
      switch (method) {
        case "Runtime.exceptionThrown" ->
            errors.add("exception: " + params.get("exceptionDetails"));
        case "Runtime.consoleAPICalled" -> {
          String type = params.path("type").asText();
          if (type.equals("error") || type.equals("warning") || type.equals("assert")) {
            errors.add("console." + type + ": " + params.get("args"));
          }
        }
        case "Log.entryAdded" -> {
          String level = params.path("entry").path("level").asText();
          if (level.equals("error") || level.equals("warning")) {
            errors.add("log " + level + ": " + params.path("entry").path("text").asText());
          }
        }
        default -> {}
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      socket.abort();
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
