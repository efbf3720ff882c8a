package dev.semblance.benchmarks;

import static dev.semblance.benchmarks.PipelineBenchmark.random;
import static dev.semblance.benchmarks.PipelineBenchmark.resource;

import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.spi.InferenceBackend;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.SessionOptions;
import dev.semblance.spi.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What quality and liveness cost per face: each model alone in ONNX Runtime, and the whole encoder
 * on one LFW portrait without them, with quality, and with quality and liveness.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar QualityBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class QualityBenchmark {
  private Encoder plain;
  private Encoder quality;
  private Encoder everything;
  private byte[] portrait;
  private ModelSession pose;
  private ModelSession eye;
  private ModelSession liveness;
  private Tensor poseInput;
  private Tensor eyeInput;
  private Tensor livenessInput;

  @Setup
  public void setUp() throws IOException {
    Path data = Path.of(System.getProperty("semblance.data", "../shared/data"));
    portrait =
        Files.readAllBytes(data.resolve("lfw-dev/images/Aaron_Peirsol/Aaron_Peirsol_0001.jpg"));
    plain = Encoder.builder().build();
    quality = Encoder.builder().quality(true).build();
    everything = Encoder.builder().quality(true).liveness(true).build();
    InferenceBackend backend = ServiceLoader.load(InferenceBackend.class).findFirst().orElseThrow();
    pose = backend.load(resource("fr_pose.onnx"), "pose", new SessionOptions(0, true));
    eye = backend.load(resource("fr_eye.onnx"), "eye", new SessionOptions(1, true));
    liveness = backend.load(resource("fr_liveness.onnx"), "liveness", new SessionOptions(0, true));
    poseInput = random(new long[] {1, 3, 224, 224});
    eyeInput = random(new long[] {1, 1, 24, 24});
    livenessInput = random(new long[] {1, 3, 128, 128});
  }

  @TearDown
  public void tearDown() {
    plain.close();
    quality.close();
    everything.close();
    pose.close();
    eye.close();
    liveness.close();
  }

  /** The encoder without quality or liveness: one 250×250 LFW portrait. */
  @Benchmark
  public List<Face> portraitPlain() {
    return plain.encode(portrait);
  }

  /** The same with quality: pose and eye models, sharpness and exposure. */
  @Benchmark
  public List<Face> portraitWithQuality() {
    return quality.encode(portrait);
  }

  /** The same with quality and liveness. */
  @Benchmark
  public List<Face> portraitWithQualityAndLiveness() {
    return everything.encode(portrait);
  }

  /** ONNX Runtime alone: the pose model on one 224×224 crop. */
  @Benchmark
  public Map<String, Tensor> rawPose() {
    return pose.run(poseInput);
  }

  /** ONNX Runtime alone: the eye model on one 24×24 crop (two per face). */
  @Benchmark
  public Map<String, Tensor> rawEye() {
    return eye.run(eyeInput);
  }

  /** ONNX Runtime alone: the liveness model on one 128×128 crop. */
  @Benchmark
  public Map<String, Tensor> rawLiveness() {
    return liveness.run(livenessInput);
  }
}
