package dev.semblance.cuda;

import dev.semblance.spi.AcceleratedIndex;
import dev.semblance.spi.SearchAccelerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gallery search on NVIDIA GPU 0 through the CUDA driver API. Found by {@link
 * java.util.ServiceLoader}; the GPU is probed on the first {@link #isAvailable()}, not before.
 * Without a GPU, a driver or this build's kernels it reports why and galleries search on the CPU.
 * The system property {@code semblance.cuda=off} turns it off.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use.
 */
public final class CudaAccelerator implements SearchAccelerator {
  private static final Logger log = LoggerFactory.getLogger(CudaAccelerator.class);

  private static final Object LOCK = new Object();
  private static CudaContext context;
  private static String unavailable;

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public boolean isAvailable() {
    return probe() != null;
  }

  @Override
  public String unavailableReason() {
    probe();
    synchronized (LOCK) {
      return unavailable == null ? "" : unavailable;
    }
  }

  @Override
  public String deviceName() {
    CudaContext cuda = probe();
    return cuda == null
        ? "none"
        : cuda.deviceName()
            + " (compute "
            + cuda.computeCapability()
            + ", "
            + cuda.multiprocessors()
            + " SMs, "
            + (cuda.memoryBytes() >> 30)
            + " GiB)";
  }

  @Override
  public AcceleratedIndex createIndex(int dimension, boolean halfPrecision) {
    return newIndex(dimension, halfPrecision);
  }

  /**
   * A GPU index directly, for callers that want the metric choice or the raw candidates.
   *
   * @throws IllegalStateException if no GPU is usable (the message says why)
   */
  public static CudaIndex newIndex(int dimension, boolean halfPrecision) {
    CudaContext cuda = probe();
    if (cuda == null) {
      throw new IllegalStateException("no usable CUDA GPU: " + unavailable);
    }
    return new CudaIndex(cuda, dimension, halfPrecision);
  }

  /** The opened context, or null with {@link #unavailable} set; probes once per process. */
  private static CudaContext probe() {
    synchronized (LOCK) {
      if (context != null || unavailable != null) {
        return context;
      }
      if ("off".equals(System.getProperty("semblance.cuda"))) {
        unavailable = "turned off by semblance.cuda=off";
        return null;
      }
      try {
        context = CudaContext.open();
        log.debug("CUDA GPU 0: {}", context.deviceName());
      } catch (RuntimeException e) {
        unavailable = e.getMessage();
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        unavailable =
            "the CUDA libraries could not be loaded; an NVIDIA driver (libcuda.so.1) and "
                + "the CUDA 13 runtime (libcudart.so.13) are needed ("
                + e.getMessage()
                + ")";
      }
      return context;
    }
  }
}
