package dev.semblance.spi;

/**
 * Offloads the scoring of gallery scans to a device such as a GPU. Implementations register through
 * {@link java.util.ServiceLoader} in {@code META-INF/services/dev.semblance.spi.SearchAccelerator};
 * a gallery created with {@code Acceleration.AUTO} uses the first one that {@linkplain
 * #isAvailable() is available}.
 *
 * <p>An accelerator only shortlists: the gallery re-scores its candidates on the CPU and checks,
 * with the bound the index declares, that nothing outside the shortlist could rank higher; when
 * that check fails it searches on the CPU. Answers are therefore the CPU's, exactly.
 *
 * <p><b>Thread safety.</b> Implementations must be safe for concurrent use.
 */
public interface SearchAccelerator {
  /** A short name for logs, e.g. {@code "cuda"}. */
  String name();

  /**
   * Whether a device can be used here. The first call may probe the hardware (never in a static
   * initialiser); it never throws, and says why not through {@link #unavailableReason()}.
   */
  boolean isAvailable();

  /** Why {@link #isAvailable()} is false, e.g. {@code "no CUDA driver (libcuda.so.1)"}. */
  String unavailableReason();

  /** A description of the device, e.g. {@code "NVIDIA H200, 141 GiB"}. */
  String deviceName();

  /**
   * An empty device-resident index of {@code dimension}-d vectors.
   *
   * @param halfPrecision keep the vectors as IEEE half floats on the device
   * @throws dev.semblance.SemblanceException if the device cannot hold it
   */
  AcceleratedIndex createIndex(int dimension, boolean halfPrecision);
}
