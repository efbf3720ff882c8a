package dev.semblance.internal.vector;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the scan kernels once, as Lucene's {@code VectorizationProvider} does: the Vector API ones
 * when {@code jdk.incubator.vector} is readable, the JVM compiles with C2 and has fast fused
 * multiply-add ({@link VmCapabilities}), and the platform has SIMD registers of at least 128 bits;
 * else the scalar ones. One log line says which, and why.
 *
 * <p>System properties: {@code semblance.vector=scalar} forces the scalar kernels; {@code
 * semblance.vector.bits=128|256|512} forces a narrower vector width than the platform's preferred
 * one (tests use it to run every width on one machine).
 *
 * <p>Thread safety: the choice is made once, in a class initialiser; all methods are safe.
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

  /** The property that forces a vector width in bits. */
  static final String BITS_PROPERTY = "semblance.vector.bits";

  /**
   * The vector width to use on a platform whose widest is {@code maxBits}: {@value #BITS_PROPERTY}
   * when it names a width of 128 bits or more that the platform has, else {@code maxBits}.
   */
  static int vectorBits(int maxBits) {
    String forced = System.getProperty(BITS_PROPERTY);
    if (forced == null) {
      return maxBits;
    }
    int bits;
    try {
      bits = Integer.parseInt(forced.trim());
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits != 128 && bits != 256 && bits != 512) {
      log.warn("{}={} is not 128, 256 or 512; using {} bits", BITS_PROPERTY, forced, maxBits);
      return maxBits;
    }
    if (bits > maxBits) {
      log.warn(
          "{}={} is wider than this platform's {} bits; using {}",
          BITS_PROPERTY,
          bits,
          maxBits,
          maxBits);
      return maxBits;
    }
    return bits;
  }

  private static final class Holder {
    /** Why the Vector API kernels are not used, when they are not. */
    private static String whyScalar;

    static final Optional<VectorKernels> PANAMA = loadPanama();
    static final VectorKernels CHOSEN = choose();

    private static Optional<VectorKernels> loadPanama() {
      Optional<Module> module = ModuleLayer.boot().findModule("jdk.incubator.vector");
      if (module.isEmpty() || !Kernels.class.getModule().canRead(module.get())) {
        whyScalar =
            "the Java Vector API is not readable; pass '--add-modules "
                + "jdk.incubator.vector' to the JVM for SIMD search";
        return Optional.empty();
      }
      Optional<String> slow = VmCapabilities.whyNotFast();
      if (slow.isPresent()) {
        whyScalar = "the Java Vector API would be slow here: " + slow.get();
        return Optional.empty();
      }
      try {
        Class<?> type = Class.forName("dev.semblance.internal.vector.PanamaKernels");
        int bits = (int) type.getDeclaredMethod("bitSize").invoke(null);
        if (bits < 128) {
          whyScalar = "this platform's SIMD registers are " + bits + " bits, under 128";
          return Optional.empty();
        }
        return Optional.of((VectorKernels) type.getDeclaredField("INSTANCE").get(null));
      } catch (ReflectiveOperationException | LinkageError e) {
        whyScalar = "the Java Vector API is present but could not be used (" + e + ")";
        return Optional.empty();
      }
    }

    private static VectorKernels choose() {
      if ("scalar".equals(System.getProperty("semblance.vector"))) {
        log.info("gallery search uses scalar kernels (semblance.vector=scalar)");
        return ScalarKernels.INSTANCE;
      }
      if (PANAMA.isPresent()) {
        log.info(
            "gallery search uses SIMD kernels: {} (C2 compiler and fast FMA present)",
            PANAMA.get().name());
        return PANAMA.get();
      }
      log.warn("gallery search uses scalar kernels: {}", whyScalar);
      return ScalarKernels.INSTANCE;
    }
  }
}
