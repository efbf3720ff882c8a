package dev.semblance.graph.internal;

import java.util.concurrent.ForkJoinPool;

/**
 * The threads that build and search graphs: one per processor. The common pool has one fewer, and a
 * caller outside it that waits for its work adds none, so on two cores it would build with one.
 *
 * <p>Thread safety: the pool is safe for concurrent use; its threads are daemons.
 */
final class Workers {
  static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

  private Workers() {}
}
