package dev.semblance.benchmarks;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.GalleryOptions;
import dev.semblance.Identification;
import dev.semblance.TemplateStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Open-set identification (top 10) over galleries of random unit vectors: one probe at a time, and
 * 64 probes in one {@code identifyAll}. The {@code Scalar} methods run in forks without the Vector
 * API module, so the same code falls back to the scalar kernels. Both use every core.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GallerySearchBenchmark -p identities=1000000 -p dimension=512
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class GallerySearchBenchmark {
  private static final String VECTOR = "--add-modules=jdk.incubator.vector";

  @Param({"10000", "100000", "1000000"})
  int identities;

  @Param({"128", "512"})
  int dimension;

  @Param({"FLOAT32", "FLOAT16", "INT8"})
  TemplateStorage storage;

  private Gallery gallery;
  private final List<Embedding> probes = new ArrayList<>();
  private int next;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    gallery =
        Gallery.create("benchmark", dimension, GalleryOptions.defaults().withStorage(storage));
    for (int i = 0; i < identities; i++) {
      gallery.enroll("id-" + i, RandomVectors.unit(random, dimension));
    }
    for (int i = 0; i < 64; i++) {
      probes.add(RandomVectors.unit(random, dimension));
    }
    System.out.println("kernels: " + Gallery.searchKernel());
  }

  @Benchmark
  @Fork(
      value = 1,
      jvmArgsAppend = {"-Xmx12g", VECTOR})
  public Identification single() {
    next = (next + 1) & 63;
    return gallery.identify(probes.get(next), 10);
  }

  @Benchmark
  @Fork(
      value = 1,
      jvmArgsAppend = {"-Xmx12g", VECTOR})
  public List<Identification> batch64() {
    return gallery.identifyAll(probes, 10);
  }

  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-Xmx12g")
  public Identification singleScalar() {
    return single();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-Xmx12g")
  public List<Identification> batch64Scalar() {
    return batch64();
  }
}
