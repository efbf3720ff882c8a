package dev.semblance.internal.vector;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the scan kernels once: the Vector API ones when {@code jdk.incubator.vector} is readable
 * and the platform has SIMD registers of at least 128 bits, else the scalar ones. The system
 * property {@code semblance.vector=scalar} forces the scalar kernels. One log line says which.
 */
public final class Kernels {
  private static final Logger log = LoggerFactory.getLogger(Kernels.class);

  private Kernels() {}

  /** The chosen kernels. */
  public static VectorKernels get() {
    return Holder.CHOSEN;
  }

  /** The scalar reference, always available. */
  public static VectorKernels scalar() {
    return ScalarKernels.INSTANCE;
  }

  /** The Vector API kernels, if this JVM can run them. */
  public static Optional<VectorKernels> panama() {
    return Holder.PANAMA;
  }

  private static final class Holder {
    static final Optional<VectorKernels> PANAMA = loadPanama();
    static final VectorKernels CHOSEN = choose();

    private static Optional<VectorKernels> loadPanama() {
      Optional<Module> module = ModuleLayer.boot().findModule("jdk.incubator.vector");
      if (module.isEmpty() || !Kernels.class.getModule().canRead(module.get())) {
        return Optional.empty();
      }
      try {
        Class<?> type = Class.forName("dev.semblance.internal.vector.PanamaKernels");
        int bits = (int) type.getDeclaredMethod("bitSize").invoke(null);
        if (bits < 128) {
          return Optional.empty();
        }
        return Optional.of((VectorKernels) type.getDeclaredField("INSTANCE").get(null));
      } catch (ReflectiveOperationException | LinkageError e) {
        log.warn("the Java Vector API is present but could not be used ({}); using scalar kernels", e.toString());
        return Optional.empty();
      }
    }

    private static VectorKernels choose() {
      if ("scalar".equals(System.getProperty("semblance.vector"))) {
        log.info("gallery search uses scalar kernels (semblance.vector=scalar)");
        return ScalarKernels.INSTANCE;
      }
      if (PANAMA.isPresent()) {
        log.info("gallery search uses SIMD kernels: {}", PANAMA.get().name());
        return PANAMA.get();
      }
      log.warn("the Java Vector API is not readable, so gallery search uses scalar kernels; pass "
          + "'--add-modules jdk.incubator.vector' to the JVM for SIMD search");
      return ScalarKernels.INSTANCE;
    }
  }
}
