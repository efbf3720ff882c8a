package dev.semblance.server.internal;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where model work runs: a few threads that always run the models (their caches stay warm), fed by
 * a bounded queue. A request is admitted only while the queue has room, and withdrawn if no thread
 * has started it by its deadline (its arrival plus the queue timeout): both answer 503 at once, so
 * a server past its capacity says so instead of holding every connection, and no request waits
 * longer than the timeout. Requests wait here as futures, not on Jetty's threads, which stay free
 * for health probes and metrics.
 *
 * <p>Thread-safe.
 */
final class InferencePool {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ThreadPoolExecutor threads;
  private final ScheduledExecutorService deadlines;
  private final Duration queueTimeout;
  private final Backoff backoff = new Backoff();

  /** A unit of model work: the whole of one request's handling. */
  interface Work {
    void run() throws Exception;
  }

  InferencePool(int concurrency, int queueCapacity, Duration queueTimeout) {
    this.queueTimeout = queueTimeout;
    this.threads =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            daemon("semblance-inference-"),
            (task, pool) -> {
              throw new RejectedExecutionException("full");
            });
    threads.prestartAllCoreThreads(); // the queue timeout then measures only waiting
    this.deadlines = Executors.newSingleThreadScheduledExecutor(daemon("semblance-deadline-"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Requests waiting for a model thread. */
  int waiting() {
    return threads.getQueue().size();
  }

  /** Refuses at once when the queue is full: called before a request's body is read. */
  void checkRoom() {
    if (threads.getQueue().remainingCapacity() == 0) {
      throw full();
    }
  }

  /** Stops the threads; work queued meanwhile is dropped. */
  void shutdown() {
    threads.shutdownNow();
    deadlines.shutdownNow();
  }

  /**
   * Runs {@code work} on a model thread unless none starts it by {@code arrivalNanos} plus the
   * queue timeout; the future fails with 503 {@code busy} then, or at once when the queue is full.
   */
  CompletableFuture<Void> submit(long arrivalNanos, Work work) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long left = arrivalNanos + queueTimeout.toNanos() - System.nanoTime();
    if (left <= 0) {
      done.completeExceptionally(timedOut());
      return done;
    }
    // Whoever claims the request first decides: a model thread runs it, or the deadline fails it.
    AtomicBoolean claimed = new AtomicBoolean();
    Runnable task =
        () -> {
          if (claimed.compareAndSet(false, true)) {
            backoff.started();
            try {
              work.run();
              done.complete(null);
            } catch (Throwable e) {
              done.completeExceptionally(e);
            }
          }
        };
    try {
      threads.execute(task);
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(full());
      return done;
    }
    deadlines.schedule(
        () -> {
          if (claimed.compareAndSet(false, true)) {
            threads.remove(task);
            done.completeExceptionally(timedOut());
          }
        },
        left,
        TimeUnit.NANOSECONDS);
    return done;
  }

  private ApiError full() {
    return busy("every model is busy and " + waiting() + " requests wait; retry later");
  }

  private ApiError timedOut() {
    return busy(
        "every model stayed busy for "
            + queueTimeout.toMillis()
            + " ms after the request arrived; retry later");
  }

  private ApiError busy(String message) {
    return ApiError.busy(message, backoff.refused());
  }
}
