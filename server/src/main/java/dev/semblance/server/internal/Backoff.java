package dev.semblance.server.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a refused client should wait before retrying: a random number of seconds up to the
 * refusals of the last second over the requests started on the models in it (at most 10). With
 * every client told 1 s, 500 clients against a server that serves 30 a second would come back 470
 * times a second, and the refusals alone would take the cores from the models; told to wait in
 * proportion, and spread over that time, they come back about twice as fast as requests are served:
 * enough to keep the queue full, not enough to crowd the models out.
 *
 * <p>Thread-safe.
 */
final class Backoff {
  private static final long SECOND = 1_000_000_000L;
  private static final int MAX_SECONDS = 10;

  private long second = System.nanoTime() / SECOND;
  private int started;
  private int refused;
  private int startedBefore;
  private int refusedBefore;

  /** A request started on the models. */
  synchronized void started() {
    roll();
    started++;
  }

  /** A request was refused; returns the seconds it should wait. */
  synchronized long refused() {
    roll();
    refused++;
    int served = Math.max(1, Math.max(startedBefore, started));
    int turnedAway = Math.max(refusedBefore, refused);
    int spread = Math.min(MAX_SECONDS, Math.max(1, (turnedAway + served - 1) / served));
    return 1 + ThreadLocalRandom.current().nextInt(spread);
  }

  private void roll() {
    long now = System.nanoTime() / SECOND;
    if (now != second) {
      boolean adjacent = now == second + 1;
      startedBefore = adjacent ? started : 0;
      refusedBefore = adjacent ? refused : 0;
      started = 0;
      refused = 0;
      second = now;
    }
  }
}
