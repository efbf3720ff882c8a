package dev.semblance.server.internal;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where model work runs: a few threads that always run the models (their caches stay warm), fed by
 * a queue; a request whose work has not started within the queue timeout is withdrawn and answered
 * 503, so that a busy server says so quickly instead of holding every connection.
 *
 * <p>Thread-safe.
 */
final class InferencePool {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ThreadPoolExecutor threads;
  private final Duration queueTimeout;

  InferencePool(int concurrency, Duration queueTimeout) {
    this.queueTimeout = queueTimeout;
    this.threads =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread =
                  new Thread(runnable, "semblance-inference-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    threads.prestartAllCoreThreads(); // the queue timeout then measures only waiting
  }

  /** Requests waiting for a model thread. */
  int waiting() {
    return threads.getQueue().size();
  }

  /** Stops the threads; work queued meanwhile is dropped. */
  void shutdown() {
    threads.shutdownNow();
  }

  /** Runs {@code work} on a model thread and returns its answer; 503 after the queue timeout. */
  <T> T run(Supplier<T> work) {
    // Whoever claims the task first decides: the pool thread runs it, or the waiter withdraws it.
    AtomicBoolean claimed = new AtomicBoolean();
    FutureTask<T> task =
        new FutureTask<>(
            () -> {
              if (!claimed.compareAndSet(false, true)) {
                throw new CancellationException("withdrawn after the queue timeout");
              }
              return work.get();
            });
    threads.execute(task);
    try {
      return task.get(queueTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      if (claimed.compareAndSet(false, true)) {
        task.cancel(false);
        threads.remove(task);
        throw new ApiError(
            503,
            "busy",
            "every model is busy and the request waited "
                + queueTimeout.toMillis()
                + " ms; retry later");
      }
      return await(task); // running already: let it finish
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "busy", "interrupted while waiting for the models");
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static <T> T await(FutureTask<T> task) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "busy", "interrupted while waiting for the models");
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(ExecutionException e) {
    if (e.getCause() instanceof RuntimeException r) {
      return r;
    }
    if (e.getCause() instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(e.getCause());
  }
}
