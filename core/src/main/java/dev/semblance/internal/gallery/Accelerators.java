package dev.semblance.internal.gallery;

import dev.semblance.Acceleration;
import dev.semblance.SemblanceException;
import dev.semblance.spi.AcceleratedIndex;
import dev.semblance.spi.SearchAccelerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a {@link SearchAccelerator} once, on first need (probing a GPU is slow and must not happen
 * in a static initialiser of the public API), and logs the outcome once.
 */
public final class Accelerators {
  private static final Logger log = LoggerFactory.getLogger(Accelerators.class);

  private Accelerators() {}

  /**
   * A device index for a new gallery: none for {@code CPU}; for {@code AUTO} one if a device is
   * available; for {@code GPU} one or an exception.
   *
   * @throws SemblanceException for {@code GPU} when no accelerator is available or it fails
   */
  public static Optional<AcceleratedIndex> indexFor(
      Acceleration mode, int dimension, boolean half) {
    if (mode == Acceleration.CPU) {
      return Optional.empty();
    }
    Optional<SearchAccelerator> accelerator = Holder.AVAILABLE;
    if (accelerator.isEmpty()) {
      if (mode == Acceleration.GPU) {
        throw new SemblanceException(
            "a GPU was required for gallery search but none is usable: "
                + (Holder.REASONS.isEmpty()
                    ? "no accelerator module (add semblance-cuda-kernels)"
                    : String.join("; ", Holder.REASONS)));
      }
      return Optional.empty();
    }
    try {
      return Optional.of(accelerator.get().createIndex(dimension, half));
    } catch (RuntimeException e) {
      if (mode == Acceleration.GPU) {
        throw e;
      }
      log.warn(
          "could not create a {} search index ({}); this gallery searches on the CPU",
          accelerator.get().name(),
          e.toString());
      return Optional.empty();
    }
  }

  private static final class Holder {
    static final List<String> REASONS = new ArrayList<>();
    static final Optional<SearchAccelerator> AVAILABLE = find();

    private static Optional<SearchAccelerator> find() {
      for (SearchAccelerator candidate : ServiceLoader.load(SearchAccelerator.class)) {
        if (candidate.isAvailable()) {
          log.info(
              "gallery searches are accelerated by {} on {}",
              candidate.name(),
              candidate.deviceName());
          return Optional.of(candidate);
        }
        REASONS.add(candidate.name() + ": " + candidate.unavailableReason());
        log.info(
            "search accelerator {} is not usable ({}); galleries search on the CPU",
            candidate.name(),
            candidate.unavailableReason());
      }
      return Optional.empty();
    }
  }
}
