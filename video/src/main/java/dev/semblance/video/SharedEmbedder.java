package dev.semblance.video;

import dev.semblance.Detection;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.RgbFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One inference thread that embeds the faces of several cameras together: each camera's tracking
 * thread hands over its frame's detections and waits; while the embedder works on one batch, the
 * requests of the other cameras gather, and are embedded together in the next.
 *
 * <p>Thread-safe: {@link #encode} is called from every camera's thread.
 */
final class SharedEmbedder implements AutoCloseable {
  private record Request(
      RgbFrame frame, List<Detection> detections, CompletableFuture<List<Face>> faces) {}

  private final Encoder encoder;
  private final int maxFrames;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong faces = new AtomicLong();
  private volatile boolean closed;

  SharedEmbedder(Encoder encoder, int maxFrames) {
    this.encoder = encoder;
    this.maxFrames = maxFrames;
    this.thread = new Thread(this::run, "semblance-video-embedder");
    thread.setDaemon(true);
    thread.start();
  }

  /** The faces at {@code detections}, embedded with those of the other cameras waiting. */
  List<Face> encode(RgbFrame frame, List<Detection> detections) {
    CompletableFuture<List<Face>> result = new CompletableFuture<>();
    queue.add(new Request(frame, detections, result));
    if (closed) {
      result.completeExceptionally(new IllegalStateException("the shared embedder is closed"));
    }
    try {
      return result.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    while (!closed) {
      try {
        Request first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxFrames - 1);
        List<RgbFrame> frames = new ArrayList<>(batch.size());
        List<List<Detection>> detections = new ArrayList<>(batch.size());
        for (Request r : batch) {
          frames.add(r.frame());
          detections.add(r.detections());
        }
        try {
          List<List<Face>> found = encoder.encodeAll(frames, detections);
          batches.incrementAndGet();
          for (int i = 0; i < batch.size(); i++) {
            faces.addAndGet(found.get(i).size());
            batch.get(i).faces().complete(found.get(i));
          }
        } catch (RuntimeException e) {
          batch.forEach(r -> r.faces().completeExceptionally(e));
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Request r; (r = queue.poll()) != null; ) {
      r.faces().completeExceptionally(new IllegalStateException("the shared embedder is closed"));
    }
  }

  /** Faces embedded per call of the embedder, on average so far. */
  double facesPerBatch() {
    long b = batches.get();
    return b == 0 ? 0 : faces.get() / (double) b;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
