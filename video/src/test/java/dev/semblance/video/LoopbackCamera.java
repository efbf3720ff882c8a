package dev.semblance.video;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Network cameras on loopback: an MPEG-TS file sent over HTTP at its own frame rate, looping. */
final class LoopbackCamera {
  private LoopbackCamera() {}

  static HttpServer server() throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(Executors.newCachedThreadPool());
    http.start();
    return http;
  }

  /**
   * Serves {@code video} (MPEG-TS) at {@code path}, paced as {@code fps} frames a second of its
   * bytes; each connection gets the whole file once, as a camera that restarts its stream.
   */
  static String serve(HttpServer http, String path, Path video, int fps) {
    byte[] stream;
    try {
      stream = Files.readAllBytes(video);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int frames;
    try (VideoSource source = VideoSource.open(video.toString())) {
      int n = 0;
      while (source.next().isPresent()) {
        n++;
      }
      frames = n;
    }
    http.createContext(
        path,
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
          exchange.sendResponseHeaders(200, 0);
          int chunk = stream.length / frames + 1;
          long start = System.nanoTime();
          try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0, i = 0; at < stream.length; at += chunk, i++) {
              out.write(stream, at, Math.min(chunk, stream.length - at));
              out.flush();
              long due = start + i * 1_000_000_000L / fps;
              long wait = due - System.nanoTime();
              if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
              }
            }
          } catch (IOException e) {
            // the watcher went away
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    return "http://127.0.0.1:" + http.getAddress().getPort() + path;
  }

  static void stop(HttpServer http) {
    http.stop(0);
    ((ExecutorService) http.getExecutor()).shutdownNow();
  }
}
