package dev.semblance.onnx;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that creates and runs every ONNX Runtime session of the backend, so that models
 * run with denormal numbers flushed to zero without touching the application's threads.
 *
 * <p>Why: the bundled models make denormal floats on the way (the embedder more than the others),
 * and some CPUs take a hundred times longer on each; with them flushed the embedder is about seven
 * times faster on this project's Intel VM and its outputs are the same bit for bit
 * (docs/performance.md). ONNX Runtime's {@code session.set_denormal_as_zero} flushes them on a
 * session's own pool threads, and on the thread that creates the process's first session — for
 * good: that thread's Java arithmetic would flush them too. The thread that calls {@code run} works
 * as much as a pool thread, and is flushed only if it is that first thread. So this thread creates
 * the sessions (and is the first, unless the application made one before) and runs them; callers
 * wait for it. One inference at a time costs no throughput: each uses every core through its
 * session's pool.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use.
 */
final class InferenceThread {
  private static final Logger log = LoggerFactory.getLogger(InferenceThread.class);

  private static final ExecutorService EXECUTOR =
      Executors.newSingleThreadExecutor(
          work -> {
            Thread t = new Thread(work, "semblance-onnxruntime");
            t.setDaemon(true);
            return t;
          });

  private static volatile Thread thread;
  private static volatile boolean checked;
  private static volatile float smallestNormal = Float.MIN_NORMAL;

  private InferenceThread() {}

  /** Work for the inference thread, which may throw {@code E}. */
  interface Work<T, E extends Exception> {
    T run() throws E;
  }

  /** Runs {@code work} on the inference thread and returns its result, or throws what it threw. */
  @SuppressWarnings("unchecked") // work throws only E, unchecked exceptions and errors
  static <T, E extends Exception> T call(Work<T, E> work) throws E {
    if (Thread.currentThread() == thread) {
      return callHere(work);
    }
    Future<T> result =
        EXECUTOR.submit(
            () -> {
              thread = Thread.currentThread();
              return callHere(work);
            });
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          // A model run cannot be cut short: wait for it, and leave the interrupt for the caller.
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw (E) e.getCause();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <T, E extends Exception> T callHere(Work<T, E> work) throws E {
    try {
      return work.run();
    } finally {
      if (!checked) {
        checked = true;
        logFlushing();
      }
    }
  }

  /** Says once whether this thread flushes denormals, as seen from Java's own arithmetic. */
  private static void logFlushing() {
    if (smallestNormal / 2 == 0f) {
      log.debug("ONNX Runtime runs with denormal numbers flushed to zero");
    } else {
      log.warn(
          "ONNX Runtime runs with denormal numbers: another session was created in this process"
              + " first; on some CPUs the models run several times slower");
    }
  }

  /** Whether the inference thread flushes denormals (for tests). */
  static boolean flushesDenormals() {
    return call(() -> smallestNormal / 2 == 0f);
  }
}
