package dev.semblance.internal.gallery;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs numbered tasks on the calling thread and up to {@code helpers} executor threads. The caller
 * takes tasks too and only ever waits for tasks already running, so a busy or saturated executor
 * slows a search down but never stalls it, and no thread is created here.
 */
public final class Parallel {
  private Parallel() {}

  public static void run(int tasks, Executor executor, int helpers, IntConsumer task) {
    if (tasks == 1 || helpers == 0) {
      for (int t = 0; t < tasks; t++) {
        task.accept(t);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(tasks);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable worker =
        () -> {
          for (int t; (t = next.getAndIncrement()) < tasks; ) {
            try {
              task.accept(t);
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            } finally {
              done.countDown();
            }
          }
        };
    for (int h = 0; h < Math.min(helpers, tasks - 1); h++) {
      try {
        executor.execute(worker);
      } catch (RejectedExecutionException e) {
        break; // the caller does the rest
      }
    }
    worker.run();
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the running tasks are short; finish rather than leave them reading
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error error) {
      throw error;
    }
  }
}
