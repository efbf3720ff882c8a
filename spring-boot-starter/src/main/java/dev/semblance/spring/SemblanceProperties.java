package dev.semblance.spring;

import dev.semblance.Durability;
import java.net.URI;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Semblance's settings under {@code semblance.*}, bound once at start-up and checked by {@link
 * SemblanceAutoConfiguration} with a message that names the bad property.
 *
 * <p><b>Thread safety.</b> Not thread-safe: Spring binds it before any bean reads it, and nothing
 * writes it afterwards.
 */
@ConfigurationProperties("semblance")
public class SemblanceProperties {
  /**
   * Calibration file (written by the command semblance calibrate) that turns target error rates
   * into thresholds; the bundled calibration, measured on LFW DevTrain, when not set.
   */
  private Path calibrationFile;

  private final EncoderProperties encoder = new EncoderProperties();
  private final GalleryProperties gallery = new GalleryProperties();
  private final VerifierProperties verifier = new VerifierProperties();
  private final EnrolmentProperties enrolment = new EnrolmentProperties();

  public Path getCalibrationFile() {
    return calibrationFile;
  }

  public void setCalibrationFile(Path calibrationFile) {
    this.calibrationFile = calibrationFile;
  }

  public EncoderProperties getEncoder() {
    return encoder;
  }

  public GalleryProperties getGallery() {
    return gallery;
  }

  public VerifierProperties getVerifier() {
    return verifier;
  }

  public EnrolmentProperties getEnrolment() {
    return enrolment;
  }

  /** How faces are found and encoded: one encoder for the whole application. */
  public static class EncoderProperties {
    /** ONNX embedder model file to use instead of the bundled one. */
    private Path modelFile;

    /** Threads one model inference may use; 0 lets ONNX Runtime decide. */
    private int threads;

    /** Whether every face carries quality measurements (needed by the enrolment policy). */
    private boolean quality;

    /** Whether every face carries a liveness score. */
    private boolean liveness;

    public Path getModelFile() {
      return modelFile;
    }

    public void setModelFile(Path modelFile) {
      this.modelFile = modelFile;
    }

    public int getThreads() {
      return threads;
    }

    public void setThreads(int threads) {
      this.threads = threads;
    }

    public boolean isQuality() {
      return quality;
    }

    public void setQuality(boolean quality) {
      this.quality = quality;
    }

    public boolean isLiveness() {
      return liveness;
    }

    public void setLiveness(boolean liveness) {
      this.liveness = liveness;
    }
  }

  /**
   * Where enrolled people are kept: a durable directory, or an OpenSearch index; without either, no
   * gallery is configured.
   */
  public static class GalleryProperties {
    /** Directory of a durable gallery, created if absent; every enrolment is logged to it. */
    private Path directory;

    /** File holding the AES key of an encrypted directory: 16, 24 or 32 bytes, raw or Base64. */
    private Path keyFile;

    /** AES key of an encrypted directory in Base64; prefer key-file or an environment variable. */
    private String key;

    /** When an enrolment is on disk: every-operation, group-commit (the default) or none. */
    private Durability durability = Durability.GROUP_COMMIT;

    /**
     * Share of strangers the gallery may wrongly name, e.g. 0.01; the threshold follows it as the
     * gallery grows. The gallery keeps its own setting when not set.
     */
    private Double targetFpir;

    private final OpenSearchProperties opensearch = new OpenSearchProperties();

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    public Path getKeyFile() {
      return keyFile;
    }

    public void setKeyFile(Path keyFile) {
      this.keyFile = keyFile;
    }

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }

    public Durability getDurability() {
      return durability;
    }

    public void setDurability(Durability durability) {
      this.durability = durability;
    }

    public Double getTargetFpir() {
      return targetFpir;
    }

    public void setTargetFpir(Double targetFpir) {
      this.targetFpir = targetFpir;
    }

    public OpenSearchProperties getOpensearch() {
      return opensearch;
    }
  }

  /** A gallery in an OpenSearch index, shared by every instance of the application. */
  public static class OpenSearchProperties {
    /**
     * Address of the OpenSearch cluster, e.g. http://localhost:9200; needs semblance-opensearch.
     */
    private URI url;

    /** Index that holds the gallery, created if absent. */
    private String index;

    /** User name for HTTP basic authentication. */
    private String username;

    /** Password for HTTP basic authentication. */
    private String password;

    /** PEM file of a certificate to trust for HTTPS, besides the JVM's. */
    private Path trustedCertificate;

    /** Templates the index shortlists for exact re-scoring on each search. */
    private int searchWidth = 1000;

    public URI getUrl() {
      return url;
    }

    public void setUrl(URI url) {
      this.url = url;
    }

    public String getIndex() {
      return index;
    }

    public void setIndex(String index) {
      this.index = index;
    }

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public Path getTrustedCertificate() {
      return trustedCertificate;
    }

    public void setTrustedCertificate(Path trustedCertificate) {
      this.trustedCertificate = trustedCertificate;
    }

    public int getSearchWidth() {
      return searchWidth;
    }

    public void setSearchWidth(int searchWidth) {
      this.searchWidth = searchWidth;
    }
  }

  /** When two faces are the same person (1:1). */
  public static class VerifierProperties {
    /**
     * Share of different-person pairs that may match, e.g. 1e-4; the threshold is read off the
     * calibration. The default threshold (0.30) when neither this nor threshold is set.
     */
    private Double targetFar;

    /** Cosine similarity at or above which two faces match, in [-1, 1]. */
    private Float threshold;

    /** Whether a probe must be a live capture to match (needs encoder liveness). */
    private boolean requireLive;

    public Double getTargetFar() {
      return targetFar;
    }

    public void setTargetFar(Double targetFar) {
      this.targetFar = targetFar;
    }

    public Float getThreshold() {
      return threshold;
    }

    public void setThreshold(Float threshold) {
      this.threshold = threshold;
    }

    public boolean isRequireLive() {
      return requireLive;
    }

    public void setRequireLive(boolean requireLive) {
      this.requireLive = requireLive;
    }
  }

  /** Which faces are good enough to enrol (applied where the application enrols with it). */
  public static class EnrolmentProperties {
    /** Lowest overall quality score accepted, in [0, 1]. */
    private float minQuality = 0.7f;

    /** Largest head turn accepted, in degrees (0, 90]. */
    private float maxYaw = 45f;

    /** Whether both eyes must be open. */
    private boolean eyesOpen;

    /** Smallest distance between the eyes, in pixels. */
    private float minEyeDistance = 20f;

    /** Whether the face must be a live capture (needs encoder liveness). */
    private boolean requireLive;

    public float getMinQuality() {
      return minQuality;
    }

    public void setMinQuality(float minQuality) {
      this.minQuality = minQuality;
    }

    public float getMaxYaw() {
      return maxYaw;
    }

    public void setMaxYaw(float maxYaw) {
      this.maxYaw = maxYaw;
    }

    public boolean isEyesOpen() {
      return eyesOpen;
    }

    public void setEyesOpen(boolean eyesOpen) {
      this.eyesOpen = eyesOpen;
    }

    public float getMinEyeDistance() {
      return minEyeDistance;
    }

    public void setMinEyeDistance(float minEyeDistance) {
      this.minEyeDistance = minEyeDistance;
    }

    public boolean isRequireLive() {
      return requireLive;
    }

    public void setRequireLive(boolean requireLive) {
      this.requireLive = requireLive;
    }
  }
}
