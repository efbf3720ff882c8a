package dev.semblance.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.Encoder;
import java.io.Serializable;

/**
 * How a Spark job encodes images; sent to the executors, where equal options share one {@link
 * Encoder} per JVM.
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param mainFaceOnly only the main face of each image (the largest near the centre)
 * @param flip average each face with its mirror image
 * @param minScore the detector score a face needs
 * @param maxPixels the largest image decoded, in pixels
 * @param threads ONNX Runtime threads per inference: 1 lets Spark's tasks use the cores
 * @param batchImages images decoded and embedded together by one task
 */
public record EncodeOptions(
    boolean mainFaceOnly,
    boolean flip,
    float minScore,
    long maxPixels,
    int threads,
    int batchImages)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public EncodeOptions {
    checkArgument(minScore >= 0 && minScore <= 1, "minimum score must be in [0, 1]: %s", minScore);
    checkArgument(maxPixels > 0, "pixel limit must be positive: %s", maxPixels);
    checkArgument(threads >= 0, "threads must not be negative: %s", threads);
    checkArgument(batchImages > 0, "batch must hold at least one image: %s", batchImages);
  }

  /** Every face, no flip, score 0.65, 50 MP, one inference thread per task, 16 images a batch. */
  public static EncodeOptions defaults() {
    return new EncodeOptions(false, false, 0.65f, 50_000_000L, 1, 16);
  }

  public EncodeOptions withMainFaceOnly(boolean mainFaceOnly) {
    return new EncodeOptions(mainFaceOnly, flip, minScore, maxPixels, threads, batchImages);
  }

  public EncodeOptions withFlip(boolean flip) {
    return new EncodeOptions(mainFaceOnly, flip, minScore, maxPixels, threads, batchImages);
  }

  public EncodeOptions withMinScore(float minScore) {
    return new EncodeOptions(mainFaceOnly, flip, minScore, maxPixels, threads, batchImages);
  }

  public EncodeOptions withMaxPixels(long maxPixels) {
    return new EncodeOptions(mainFaceOnly, flip, minScore, maxPixels, threads, batchImages);
  }

  public EncodeOptions withThreads(int threads) {
    return new EncodeOptions(mainFaceOnly, flip, minScore, maxPixels, threads, batchImages);
  }

  /** The encoder these options describe (bundled models). */
  Encoder newEncoder() {
    return Encoder.builder()
        .flipAveraging(flip)
        .minDetectionScore(minScore)
        .maxPixels(maxPixels)
        .threads(threads)
        .build();
  }
}
