package dev.semblance.internal.vector;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;

/**
 * What the running JVM does with Vector API code. Without the C2 compiler (an interpreter, a client
 * VM, or tiered compilation stopped at C1) vector operations are not intrinsified and run far
 * slower than scalar loops; without fast fused multiply-add every {@code fma} becomes a software
 * routine. Lucene's {@code VectorizationProvider} refuses Panama in both cases, and so does {@link
 * Kernels}.
 *
 * <p>Thread safety: stateless.
 */
final class VmCapabilities {
  private VmCapabilities() {}

  /** Why Vector API kernels would be slow here, or empty when C2 and fast FMA are there. */
  static Optional<String> whyNotFast() {
    String info = System.getProperty("java.vm.info", "");
    if (info.contains("interpreted mode")) {
      return Optional.of("the JVM runs in interpreted mode (-Xint)");
    }
    if (System.getProperty("java.vm.name", "").contains("Client")) {
      return Optional.of("a client VM has no C2 compiler");
    }
    Optional<String> tieredStop = vmOption("TieredStopAtLevel");
    Optional<String> tiered = vmOption("TieredCompilation");
    if (tieredStop.isPresent()
        && Integer.parseInt(tieredStop.get()) < 4
        && !"false".equals(tiered.orElse("true"))) {
      return Optional.of("the C2 compiler is off (-XX:TieredStopAtLevel=" + tieredStop.get() + ")");
    }
    if ("false".equals(vmOption("UseFMA").orElse("true"))) {
      return Optional.of("the CPU or JVM has no fast fused multiply-add (UseFMA is false)");
    }
    return Optional.empty();
  }

  /**
   * A HotSpot option's value, from the diagnostic MXBean when {@code jdk.management} is present,
   * else from an explicit {@code -XX:} flag on the command line, else empty.
   */
  private static Optional<String> vmOption(String name) {
    try {
      return Optional.of(
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
              .getVMOption(name)
              .getValue());
    } catch (LinkageError | RuntimeException e) {
      // No jdk.management (a jlinked runtime, another VM): read the flags instead.
    }
    List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (int i = args.size() - 1; i >= 0; i--) {
      String arg = args.get(i);
      if (arg.startsWith("-XX:" + name + "=")) {
        return Optional.of(arg.substring(name.length() + 5));
      }
      if (arg.equals("-XX:+" + name) || arg.equals("-XX:-" + name)) {
        return Optional.of(arg.charAt(4) == '+' ? "true" : "false");
      }
    }
    return Optional.empty();
  }
}
