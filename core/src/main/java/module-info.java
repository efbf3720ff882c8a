/**
 * Semblance core: the public API ({@code dev.semblance}), its satellites (measurement in {@code
 * evaluation}, training in {@code learning}, {@code clustering}), durable file writes ({@code io})
 * and the SPIs of backends, accelerators and template stores ({@code spi}). Everything under {@code
 * dev.semblance.internal} stays inside the module; {@code ArchitectureTest} in the {@code
 * architecture} module checks that nothing outside reaches it.
 */
module dev.semblance.core {
  requires transitive java.desktop;
  requires com.google.common;
  requires org.slf4j;
  requires metadata.extractor;
  // Optional: SIMD gallery scans when the JVM runs with --add-modules jdk.incubator.vector.
  requires static jdk.incubator.vector;
  // Reads the JVM's options (C2, FMA) before choosing the Vector API; optional, see VmCapabilities.
  requires java.management;
  requires static jdk.management;

  exports dev.semblance;
  exports dev.semblance.clustering;
  exports dev.semblance.evaluation;
  exports dev.semblance.io;
  exports dev.semblance.learning;
  exports dev.semblance.spi;

  uses dev.semblance.spi.InferenceBackend;
  uses dev.semblance.spi.SearchAccelerator;
  uses dev.semblance.spi.NeighbourSearch;
}
