package dev.semblance.benchmarks;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.spi.InferenceBackend;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.SessionOptions;
import dev.semblance.spi.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole pipeline per image against the raw model calls it is made of. Needs the shared data
 * ({@code -Dsemblance.data=DIR}, default {@code ../shared/data}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class PipelineBenchmark {
  private Encoder encoder;
  private byte[] portrait;
  private byte[] groupPhoto;
  private ModelSession detector;
  private ModelSession embedder;
  private ModelSession landmarker;
  private Tensor detectorInput;
  private Tensor landmarkInput;

  /** 32 LFW images (one per person, sorted), for throughput per image. */
  private List<Path> lfwImages;

  private int lfwFaces;
  private Tensor lastFaces;
  private Tensor oneFace;
  private Tensor sixteenFaces;

  @Setup
  public void setUp() throws IOException {
    Path data = Path.of(System.getProperty("semblance.data", "../shared/data"));
    portrait =
        Files.readAllBytes(data.resolve("lfw-dev/images/Aaron_Peirsol/Aaron_Peirsol_0001.jpg"));
    groupPhoto = Files.readAllBytes(data.resolve("tv-characters/group-photos/bbt4.jpg"));
    encoder = Encoder.builder().build();
    InferenceBackend backend = ServiceLoader.load(InferenceBackend.class).findFirst().orElseThrow();
    detector = backend.load(resource("fr_detect.onnx"), "detector", new SessionOptions(0, false));
    embedder = backend.load(resource("fr_feature.onnx"), "embedder", new SessionOptions(0, true));
    landmarker =
        backend.load(resource("fr_landmark.onnx"), "landmarks", new SessionOptions(0, false));
    detectorInput = random(new long[] {1, 3, 240, 320});
    oneFace = random(new long[] {1, 3, 112, 112});
    sixteenFaces = random(new long[] {16, 3, 112, 112});
    landmarkInput = random(new long[] {1, 1, 64, 64});
    try (var people = Files.list(data.resolve("lfw-dev/images"))) {
      lfwImages =
          people
              .sorted()
              .limit(32)
              .map(
                  dir -> {
                    try (var files = Files.list(dir)) {
                      return files.sorted().findFirst().orElseThrow();
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  })
              .toList();
    }
    lfwFaces = encoder.encodeAll(lfwImages).stream().mapToInt(List::size).sum();
    lastFaces = lfwFaces % 16 == 0 ? sixteenFaces : random(new long[] {lfwFaces % 16, 3, 112, 112});
  }

  @TearDown
  public void tearDown() {
    encoder.close();
    detector.close();
    embedder.close();
    landmarker.close();
  }

  /** Throughput: the whole pipeline over 32 LFW images in one {@code encodeAll}, per image. */
  @Benchmark
  @OperationsPerInvocation(32)
  public List<List<Face>> pipelinePerLfwImage() {
    return encoder.encodeAll(lfwImages);
  }

  /**
   * ONNX Runtime alone for the same 32 images: a detector run per image, a landmark run per face
   * found and the embedder over those faces in batches of 16, as the encoder does; per image.
   */
  @Benchmark
  @OperationsPerInvocation(32)
  public int rawThreeModelsPerLfwImage() {
    int outputs = 0;
    for (int i = 0; i < lfwImages.size(); i++) {
      outputs += detector.run(detectorInput).size();
    }
    for (int f = 0; f < lfwFaces; f++) {
      outputs += landmarker.run(landmarkInput).size();
    }
    for (int f = 0; f < lfwFaces; f += 16) {
      outputs += embedder.run(f + 16 <= lfwFaces ? sixteenFaces : lastFaces).size();
    }
    return outputs;
  }

  /** ONNX Runtime alone: the landmark model on one 64×64 crop. */
  @Benchmark
  public Map<String, Tensor> rawLandmarks() {
    return landmarker.run(landmarkInput);
  }

  /** Decode, detect, landmarks, align and embed: the one face of a 250×250 LFW image. */
  @Benchmark
  public List<Face> pipelinePortrait() {
    return encoder.encode(portrait);
  }

  /** Same for a 710×473 JPEG with six faces. */
  @Benchmark
  public List<Face> pipelineGroupPhotoSixFaces() {
    return encoder.encode(groupPhoto);
  }

  /** ONNX Runtime alone: the detector on one 320×240 input. */
  @Benchmark
  public Map<String, Tensor> rawDetector() {
    return detector.run(detectorInput);
  }

  /** ONNX Runtime alone: the embedder on one face. */
  @Benchmark
  public Map<String, Tensor> rawEmbedderOneFace() {
    return embedder.run(oneFace);
  }

  /** ONNX Runtime alone: the embedder on a batch of 16 faces, reported per face. */
  @Benchmark
  @OperationsPerInvocation(16)
  public Map<String, Tensor> rawEmbedderPerFaceInBatchOf16() {
    return embedder.run(sixteenFaces);
  }

  /** A bundled model's bytes. */
  static byte[] resource(String name) throws IOException {
    try (InputStream in =
        PipelineBenchmark.class.getResourceAsStream("/dev/semblance/models/" + name)) {
      return in.readAllBytes();
    }
  }

  /** A tensor of uniform random values in [-1, 1), seeded. */
  static Tensor random(long[] shape) {
    int size = 1;
    for (long d : shape) {
      size *= (int) d;
    }
    float[] data = new float[size];
    Random random = new Random(1);
    for (int i = 0; i < size; i++) {
      data[i] = random.nextFloat() * 2 - 1;
    }
    return new Tensor(data, shape);
  }
}
