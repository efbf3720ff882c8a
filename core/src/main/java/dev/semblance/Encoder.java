// Over 400 lines: most of it is the public API's documentation and its builder; the pipeline
// itself is internal.pipeline.FacePipeline.
package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import dev.semblance.internal.image.ImageDecoder;
import dev.semblance.internal.image.RgbImage;
import dev.semblance.internal.pipeline.FaceAnalysis;
import dev.semblance.internal.pipeline.FacePipeline;
import dev.semblance.internal.pipeline.FacePipeline.Embedded;
import dev.semblance.internal.pipeline.FacePipeline.Located;
import dev.semblance.internal.pipeline.ModelLoader;
import dev.semblance.internal.pipeline.ModelSpec;
import dev.semblance.internal.pipeline.NonMaxSuppression.Scored;
import dev.semblance.spi.InferenceBackend;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.SessionOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds every face in a picture and encodes each into an {@link Embedding}: detection, 68-point
 * landmarks, five-point similarity alignment to the ArcFace template, embedding and L2
 * normalisation.
 *
 * <pre>{@code
 * try (Encoder encoder = Encoder.builder().build()) {
 *   for (Face face : encoder.encode(Path.of("group.jpg"))) {
 *     System.out.println(face.box() + " " + face.score());
 *   }
 * }
 * }</pre>
 *
 * <p>Built with {@link Builder#quality} and {@link Builder#liveness}, every face also carries its
 * {@link FaceQuality} and {@link Liveness}; their models are loaded only then.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use: all calls share one set of model sessions.
 * {@link #close()} waits for calls in progress; calls after it throw {@link IllegalStateException}.
 */
public final class Encoder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Encoder.class);
  private static final ModelSpec LANDMARKS =
      new ModelSpec(
          "dev/semblance/models/fr_landmark.onnx",
          null,
          "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258",
          64,
          64,
          ChannelOrder.RGB,
          0f,
          256f);

  /**
   * The default {@link Builder#livenessThreshold}: where real photos and attack-like copies of LFW
   * {@code pairsDevTrain} images are refused equally often (docs/quality.md).
   */
  public static final float DEFAULT_LIVENESS_THRESHOLD = 0.341f;

  private final FacePipeline pipeline;
  private final FaceAnalysis analysis;
  private final ImageDecoder decoder;
  private final String embedderId;
  private final ProjectionHead projection;
  private final int batchSize;
  private final long maxFileBytes;
  private final Telemetry telemetry;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private Encoder(Builder b) {
    InferenceBackend backend = ModelLoader.backend(b.backend);
    SessionOptions plain = new SessionOptions(b.threads, false);
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      var detector = ModelLoader.load(backend, b.detector.spec(), plain);
      opened.add(detector.session());
      // The landmark model is too small to gain from more than one thread.
      var landmarks = ModelLoader.load(backend, LANDMARKS, new SessionOptions(1, false));
      opened.add(landmarks.session());
      var embedder =
          ModelLoader.load(backend, b.embedder.spec(), new SessionOptions(b.threads, true));
      opened.add(embedder.session());
      // Quality and liveness models are loaded only when asked for: they cost nothing otherwise.
      SessionOptions batched = new SessionOptions(b.threads, true);
      ModelSession pose = null, eyes = null, liveness = null;
      if (b.quality) {
        pose = ModelLoader.load(backend, FaceAnalysis.POSE, batched).session();
        opened.add(pose);
        eyes = ModelLoader.load(backend, FaceAnalysis.EYE, new SessionOptions(1, true)).session();
        opened.add(eyes);
      }
      if (b.liveness) {
        liveness = ModelLoader.load(backend, FaceAnalysis.LIVENESS, batched).session();
        opened.add(liveness);
      }
      String name =
          b.embedder.spec().resource() != null
              ? "faceplugin/fr_feature"
              : b.embedder.spec().file().getFileName().toString();
      String rawId = name + "@sha256:" + embedder.sha256().substring(0, 16);
      // The overall quality score weighs the raw embedder's output: only its own model applies.
      this.analysis =
          new FaceAnalysis(
              pose,
              eyes,
              liveness,
              b.livenessThreshold,
              QualityModel.forEmbedder(rawId).orElse(null));
      this.pipeline =
          new FacePipeline(
              detector.session(),
              b.detector.spec(),
              landmarks.session(),
              embedder.session(),
              b.embedder.spec(),
              new FacePipeline.Settings(b.minScore, b.maxIou, b.flipAveraging, b.batchSize));
      if (b.projection != null) {
        if (!b.projection.embedderId().equals(rawId)) {
          throw new ModelException(
              "the projection head was trained for embedder "
                  + b.projection.embedderId()
                  + ", but this encoder's embedder is "
                  + rawId);
        }
        if (b.projection.inputDimension() != pipeline.embeddingDimension()) {
          throw new ModelException(
              "the projection head takes "
                  + b.projection.inputDimension()
                  + "-d embeddings, the embedder gives "
                  + pipeline.embeddingDimension());
        }
      }
      this.projection = b.projection;
      this.embedderId = b.projection == null ? rawId : b.projection.projectedEmbedderId();
    } catch (RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    this.decoder = new ImageDecoder(b.maxPixels);
    this.batchSize = b.batchSize;
    this.telemetry = GuardedTelemetry.of(b.telemetry);
    // Eight bytes a pixel (16-bit RGBA, uncompressed) plus room for metadata bounds any honest
    // file.
    this.maxFileBytes = Math.min(Integer.MAX_VALUE - 8L, 8 * b.maxPixels + (16L << 20));
    log.info(
        "encoder ready: backend {}, embedder {} ({}-d), flip averaging {}, quality {}, liveness {}",
        backend.name(),
        embedderId,
        dimension(),
        b.flipAveraging,
        b.quality,
        b.liveness);
  }

  /** A builder with the bundled models and default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Identifies the embedder that produced this encoder's embeddings (model name and the first 16
   * hex digits of its SHA-256). Galleries record it, so templates of different embedders are never
   * compared.
   */
  public String embedderId() {
    return embedderId;
  }

  /** Whether faces carry {@link Face#quality()} measurements: built with {@code quality(true)}. */
  public boolean measuresQuality() {
    return analysis.measuresQuality();
  }

  /** Whether faces carry a {@link Face#liveness()}: built with {@code liveness(true)}. */
  public boolean measuresLiveness() {
    return analysis.measuresLiveness();
  }

  public int dimension() {
    return projection == null ? pipeline.embeddingDimension() : projection.outputDimension();
  }

  /**
   * Every face in the image file, best detector score first; empty when there is none.
   *
   * @throws InvalidImageException if the file cannot be read or decoded, or is too large
   */
  public List<Face> encode(Path image) {
    return timed(() -> encode(read(image), image.toString()));
  }

  /** Every face in the encoded image (JPEG, PNG, BMP or GIF bytes); see {@link #encode(Path)}. */
  public List<Face> encode(byte[] image) {
    return timed(() -> encode(image, "image bytes"));
  }

  /**
   * Decodes an image file as the encoder sees it: upright (EXIF orientation applied), RGB, within
   * the pixel limit. Useful to draw on the faces {@link #encode(BufferedImage)} finds.
   *
   * @throws InvalidImageException if the file cannot be read or decoded, or is too large
   */
  public BufferedImage readImage(Path image) {
    return run(() -> decoder.decode(read(image), image.toString()).toBufferedImage());
  }

  /** Every face in the image; see {@link #encode(Path)}. */
  public List<Face> encode(BufferedImage image) {
    checkArgument(image.getWidth() > 0 && image.getHeight() > 0, "image is empty");
    return timed(() -> run(() -> encode(RgbImage.from(image))));
  }

  /**
   * Every face in a frame already in memory (a decoded video frame, a camera image), best detector
   * score first; see {@link RgbFrame}.
   */
  public List<Face> encode(RgbFrame frame) {
    return timed(() -> run(() -> encode(image(frame))));
  }

  /**
   * Where the faces of a frame are, by the detector alone: no landmarks, alignment or embedding, a
   * fraction of {@link #encode(RgbFrame)}'s work. For video, where most frames only need to follow
   * faces already known.
   */
  public List<Detection> detect(RgbFrame frame) {
    return run(
        () ->
            pipeline.detect(image(frame)).stream()
                .map(d -> new Detection(d.box(), d.score()))
                .toList());
  }

  /**
   * The faces at {@code detections} in {@code frame} (from {@link #detect(RgbFrame)}), in their
   * order: landmarks, alignment, embedding, and quality and liveness when asked for.
   */
  public List<Face> encode(RgbFrame frame, List<Detection> detections) {
    List<Scored> scored = detections.stream().map(d -> new Scored(d.box(), d.score())).toList();
    return timed(
        () ->
            run(
                () -> {
                  RgbImage image = image(frame);
                  List<Located> located = pipeline.locate(image, scored);
                  return toFaces(image, located, pipeline.embed(image, located), 0);
                }));
  }

  /**
   * The faces at the given detections of several frames at once — e.g. of several cameras — with
   * all faces embedded together in the embedder's batches; element {@code i} of the result holds
   * the faces of {@code frames.get(i)}, in the order of {@code detections.get(i)}.
   *
   * @throws IllegalArgumentException if the lists differ in length
   */
  public List<List<Face>> encodeAll(List<RgbFrame> frames, List<List<Detection>> detections) {
    checkArgument(
        frames.size() == detections.size(),
        "%s frames but %s lists of detections",
        frames.size(),
        detections.size());
    return run(
        () -> {
          long start = System.nanoTime();
          List<RgbImage> images = new ArrayList<>(frames.size());
          List<List<Located>> located = new ArrayList<>(frames.size());
          for (int i = 0; i < frames.size(); i++) {
            RgbImage image = image(frames.get(i));
            images.add(image);
            located.add(
                pipeline.locate(
                    image,
                    detections.get(i).stream().map(d -> new Scored(d.box(), d.score())).toList()));
          }
          Embedded embedded = pipeline.embedAll(images, located);
          List<List<Face>> result = new ArrayList<>(frames.size());
          int next = 0;
          for (int i = 0; i < images.size(); i++) {
            result.add(toFaces(images.get(i), located.get(i), embedded, next));
            next += located.get(i).size();
          }
          reportEach(result, start);
          return result;
        });
  }

  private static RgbImage image(RgbFrame frame) {
    return new RgbImage(frame.width(), frame.height(), frame.rgb());
  }

  /**
   * Encodes many image files; element {@code i} of the result holds the faces of {@code
   * images.get(i)}. Faces of all images are embedded together in batches where the embedder allows
   * it.
   *
   * @throws InvalidImageException if a file cannot be read or decoded, or is too large
   */
  public List<List<Face>> encodeAll(List<Path> images) {
    List<ImageFaces> encoded =
        encodeBatches(
            images.size(),
            i -> decoder.decode(read(images.get(i)), images.get(i).toString()),
            i -> images.get(i).toString(),
            false);
    return encoded.stream().map(ImageFaces::faces).toList();
  }

  /**
   * Encodes many images given as bytes (JPEG, PNG, BMP or GIF), batched as {@link #encodeAll} does;
   * an image that cannot be decoded, or is too large, does not stop the others: its result says why
   * ({@link ImageFaces#failure()}). For engines that hold images in memory, such as a Spark
   * partition.
   *
   * @param names how each image is called in failure messages, e.g. its path
   * @throws IllegalArgumentException if the lists differ in length
   */
  public List<ImageFaces> encodeEach(List<byte[]> images, List<String> names) {
    checkArgument(
        images.size() == names.size(), "%s images but %s names", images.size(), names.size());
    return encodeBatches(
        images.size(), i -> decoder.decode(images.get(i), names.get(i)), names::get, true);
  }

  /**
   * Decodes and locates a few images at a time (enough faces to fill a batch, never the whole
   * list), then embeds their faces together.
   */
  private List<ImageFaces> encodeBatches(
      int count, IntFunction<RgbImage> decode, IntFunction<String> name, boolean isolateFailures) {
    return run(
        () -> {
          List<ImageFaces> result = new ArrayList<>(count);
          for (int start = 0; start < count; start += batchSize) {
            long began = System.nanoTime();
            int end = Math.min(count, start + batchSize);
            List<RgbImage> decoded = new ArrayList<>(end - start);
            List<List<Located>> located = new ArrayList<>(end - start);
            String[] failures = new String[end - start];
            for (int i = start; i < end; i++) {
              try {
                RgbImage image = decode.apply(i);
                decoded.add(image);
                located.add(pipeline.locate(image));
              } catch (InvalidImageException e) {
                if (!isolateFailures) {
                  throw e;
                }
                failures[i - start] = e.getMessage();
              }
            }
            Embedded embedded = pipeline.embedAll(decoded, located);
            int next = 0;
            int ok = 0;
            for (int i = start; i < end; i++) {
              if (failures[i - start] != null) {
                result.add(ImageFaces.failed(name.apply(i), failures[i - start]));
                continue;
              }
              RgbImage image = decoded.get(ok);
              List<Located> faces = located.get(ok++);
              List<Face> encoded = toFaces(image, faces, embedded, next);
              next += faces.size();
              result.add(
                  new ImageFaces(name.apply(i), image.width(), image.height(), encoded, null));
            }
            reportEach(
                result.subList(result.size() - (end - start), result.size()).stream()
                    .filter(r -> r.failure() == null)
                    .map(ImageFaces::faces)
                    .toList(),
                began);
          }
          return result;
        });
  }

  /**
   * The main face of the image: the largest face near its centre, as in a portrait or an ID photo.
   *
   * @throws NoFaceException if the image has no face
   * @throws InvalidImageException if the file cannot be read or decoded
   */
  public Face encodeMainFace(Path image) {
    return run(
        () -> {
          long start = System.nanoTime();
          RgbImage rgb = decoder.decode(read(image), image.toString());
          List<Located> faces = pipeline.locate(rgb);
          if (faces.isEmpty()) {
            throw new NoFaceException("no face found in " + image);
          }
          Located main =
              faces.stream()
                  .max(
                      Comparator.comparingDouble(
                          f -> mainFaceScore(f.box(), rgb.width(), rgb.height())))
                  .orElseThrow();
          Face face = toFaces(rgb, List.of(main), pipeline.embed(rgb, List.of(main)), 0).get(0);
          telemetry.imageEncoded(faces.size(), System.nanoTime() - start);
          return face;
        });
  }

  /** The index in {@code faces} of the main face of a {@code width × height} image, or -1. */
  public static int mainFaceIndex(List<Face> faces, int width, int height) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < faces.size(); i++) {
      double s = mainFaceScore(faces.get(i).box(), width, height);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return best;
  }

  /** Area, discounted by distance from the image centre (0 at a corner). */
  private static double mainFaceScore(Box box, int width, int height) {
    Point c = box.center();
    double off =
        Math.hypot(c.x() - width / 2.0, c.y() - height / 2.0)
            / Math.hypot(width / 2.0, height / 2.0);
    double centrality = Math.max(0, 1 - off);
    return box.area() * centrality * centrality;
  }

  private List<Face> encode(byte[] bytes, String source) {
    return run(() -> encode(decoder.decode(bytes, source)));
  }

  private List<Face> encode(RgbImage image) {
    List<Located> faces = pipeline.locate(image);
    return toFaces(image, faces, pipeline.embed(image, faces), 0);
  }

  /**
   * The faces of one image, with quality and liveness when asked for.
   *
   * @param first index in {@code embedded} of the image's first face
   */
  private List<Face> toFaces(RgbImage image, List<Located> located, Embedded embedded, int first) {
    float[] norms = Arrays.copyOfRange(embedded.norms(), first, first + located.size());
    List<FaceQuality> qualities =
        analysis.measuresQuality() ? analysis.quality(image, located, norms) : null;
    List<Liveness> liveness =
        analysis.measuresLiveness() ? analysis.liveness(image, located) : null;
    List<Face> faces = new ArrayList<>(located.size());
    for (int i = 0; i < located.size(); i++) {
      Located l = located.get(i);
      List<Point> points = new ArrayList<>(5);
      for (double[] p : l.fivePoints()) {
        points.add(new Point((float) p[0], (float) p[1]));
      }
      Embedding embedding = Embedding.of(embedded.vectors()[first + i]);
      if (projection != null) {
        embedding = projection.project(embedding);
      }
      faces.add(
          new Face(
              l.box(),
              l.score(),
              points,
              embedding,
              Optional.ofNullable(qualities == null ? null : qualities.get(i)),
              Optional.ofNullable(liveness == null ? null : liveness.get(i))));
    }
    return faces;
  }

  /** Runs the encoding of one image and reports it. */
  private List<Face> timed(Supplier<List<Face>> encoding) {
    long start = System.nanoTime();
    List<Face> faces = encoding.get();
    telemetry.imageEncoded(faces.size(), System.nanoTime() - start);
    return faces;
  }

  /** Reports each image of a batch begun at {@code start}, with its share of the batch's time. */
  private void reportEach(List<List<Face>> images, long start) {
    if (images.isEmpty()) {
      return;
    }
    long share = (System.nanoTime() - start) / images.size();
    images.forEach(faces -> telemetry.imageEncoded(faces.size(), share));
  }

  private byte[] read(Path image) {
    Objects.requireNonNull(image, "image");
    try {
      long size = Files.size(image);
      if (size > maxFileBytes) {
        throw new InvalidImageException(
            "image file is "
                + size
                + " bytes, more than any image "
                + "within the pixel limit can need ("
                + maxFileBytes
                + "): "
                + image);
      }
      return Files.readAllBytes(image);
    } catch (IOException e) {
      throw new InvalidImageException("cannot read image file " + image + ": " + e, e);
    }
  }

  private <T> T run(Supplier<T> work) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("this Encoder has been closed already");
      }
      return work.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Releases the model sessions, after waiting for calls in progress. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        pipeline.close();
        analysis.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Configures an {@link Encoder}. Not thread-safe; the encoder it builds keeps no reference to it.
   */
  public static final class Builder {
    private DetectorModel detector = DetectorModel.bundled();
    private EmbedderModel embedder = EmbedderModel.bundled();
    private String backend;
    private int threads;
    private float minScore = 0.65f;
    private float maxIou = 0.4f;
    private boolean flipAveraging;
    private int batchSize = 16;
    private long maxPixels = 50_000_000L;
    private ProjectionHead projection;
    private boolean quality;
    private boolean liveness;
    private float livenessThreshold = DEFAULT_LIVENESS_THRESHOLD;
    private Telemetry telemetry = Telemetry.NONE;

    private Builder() {}

    /** Where to report each encoded image (faces found, time taken); none by default. */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /**
     * Measure every face's {@link FaceQuality}: size, sharpness, exposure, head pose, eye state and
     * an overall score. Loads the pose and eye models (6 MB); the time per face is in
     * docs/quality.md. Off by default.
     */
    public Builder quality(boolean quality) {
      this.quality = quality;
      return this;
    }

    /**
     * Measure every face's {@link Liveness} with the bundled anti-spoofing model (2 MB). Off by
     * default.
     */
    public Builder liveness(boolean liveness) {
      this.liveness = liveness;
      return this;
    }

    /**
     * The liveness score at or above which a face counts as live; default {@link
     * #DEFAULT_LIVENESS_THRESHOLD}. Higher refuses more attacks and more real faces.
     */
    public Builder livenessThreshold(float threshold) {
      checkArgument(
          threshold >= 0 && threshold <= 1, "liveness threshold must be in [0, 1]: %s", threshold);
      this.livenessThreshold = threshold;
      return this;
    }

    /**
     * Applies a trained projection head to every embedding: faces then carry its {@link
     * ProjectionHead#outputDimension()}-d output, and {@link Encoder#embedderId()} names the head
     * too, so galleries never mix projected and raw templates. The build fails if the head was
     * trained for another embedder.
     */
    public Builder projection(ProjectionHead head) {
      this.projection = Objects.requireNonNull(head, "head");
      return this;
    }

    public Builder detector(DetectorModel detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    public Builder embedder(EmbedderModel embedder) {
      this.embedder = Objects.requireNonNull(embedder, "embedder");
      return this;
    }

    /** Use the named inference backend (e.g. {@code onnxruntime}) instead of the best one. */
    public Builder backend(String name) {
      this.backend = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Threads one model inference may use; 0 (the default) lets the backend decide. */
    public Builder threads(int threads) {
      checkArgument(threads >= 0, "threads must not be negative: %s", threads);
      this.threads = threads;
      return this;
    }

    /** Minimum detector score for a face, in (0, 1]; default 0.65. */
    public Builder minDetectionScore(float minScore) {
      checkArgument(minScore > 0 && minScore <= 1, "score must be in (0, 1]: %s", minScore);
      this.minScore = minScore;
      return this;
    }

    /** Boxes overlapping a better one by more than this IoU are dropped; default 0.4. */
    public Builder maxOverlap(float maxIou) {
      checkArgument(maxIou > 0 && maxIou <= 1, "IoU must be in (0, 1]: %s", maxIou);
      this.maxIou = maxIou;
      return this;
    }

    /**
     * Average each face's embedding with that of its mirror image: slightly more accurate (about
     * +0.1 point on LFW), twice the embedding cost. Off by default.
     */
    public Builder flipAveraging(boolean flipAveraging) {
      this.flipAveraging = flipAveraging;
      return this;
    }

    /** Most faces embedded in one model call, where the model allows batches; default 16. */
    public Builder batchSize(int batchSize) {
      checkArgument(batchSize > 0, "batch size must be positive: %s", batchSize);
      this.batchSize = batchSize;
      return this;
    }

    /** Images with more pixels are refused before decoding; default 50 megapixels. */
    public Builder maxPixels(long maxPixels) {
      checkArgument(maxPixels > 0, "pixel limit must be positive: %s", maxPixels);
      this.maxPixels = maxPixels;
      return this;
    }

    /**
     * Loads the models and builds the encoder.
     *
     * @throws ModelException if no backend is installed or a model cannot be loaded
     */
    public Encoder build() {
      return new Encoder(this);
    }
  }
}
