package dev.semblance.benchmarks;

import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/** One open-set identification (top 10) over a gallery of random unit vectors. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class GallerySearchBenchmark {
  @Param({"10000", "100000"})
  int identities;

  @Param({"512"})
  int dimension;

  private Gallery gallery;
  private final List<Embedding> probes = new ArrayList<>();
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    gallery = Gallery.create("benchmark", dimension);
    for (int i = 0; i < identities; i++) {
      gallery.enroll("id-" + i, randomUnit(random));
    }
    for (int i = 0; i < 64; i++) {
      probes.add(randomUnit(random));
    }
  }

  @Benchmark
  public Identification identifyTop10() {
    next = (next + 1) & 63;
    return gallery.identify(probes.get(next), 10);
  }

  private Embedding randomUnit(Random random) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedding.of(v);
  }
}
