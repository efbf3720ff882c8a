package dev.semblance.spring;

import dev.semblance.spring.SemblanceProperties.EnrolmentProperties;
import dev.semblance.spring.SemblanceProperties.GalleryProperties;
import dev.semblance.spring.SemblanceProperties.OpenSearchProperties;
import dev.semblance.spring.SemblanceProperties.VerifierProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.ClassUtils;

/**
 * The start-up checks of {@link SemblanceProperties}: each failure names its property, so that a
 * bad setting stops the application before a model is loaded rather than at the first request.
 */
final class PropertyChecks {
  private PropertyChecks() {}

  /**
   * @param classes the application's class loader, where {@code semblance-opensearch} may be
   */
  static void check(SemblanceProperties p, ClassLoader classes) {
    existingFile("semblance.calibration-file", p.getCalibrationFile());
    existingFile("semblance.encoder.model-file", p.getEncoder().getModelFile());
    require(
        p.getEncoder().getThreads() >= 0,
        "semblance.encoder.threads",
        p.getEncoder().getThreads(),
        "must not be negative");
    checkVerifier(p.getVerifier(), p.getEncoder().isLiveness());
    checkGallery(p.getGallery(), classes);
    checkEnrolment(p.getEnrolment(), p.getEncoder().isLiveness());
  }

  private static void checkVerifier(VerifierProperties v, boolean liveness) {
    if (v.getTargetFar() != null) {
      require(
          v.getThreshold() == null,
          "semblance.verifier.threshold",
          v.getThreshold(),
          "set either semblance.verifier.threshold or semblance.verifier.target-far, not both");
      require(
          v.getTargetFar() > 0 && v.getTargetFar() < 1,
          "semblance.verifier.target-far",
          v.getTargetFar(),
          "a false accept rate is in (0, 1), e.g. 1e-4");
    }
    if (v.getThreshold() != null) {
      require(
          v.getThreshold() >= -1 && v.getThreshold() <= 1,
          "semblance.verifier.threshold",
          v.getThreshold(),
          "a cosine similarity is in [-1, 1]");
    }
    require(
        !v.isRequireLive() || liveness,
        "semblance.verifier.require-live",
        true,
        "needs semblance.encoder.liveness=true");
  }

  private static void checkGallery(GalleryProperties g, ClassLoader classes) {
    OpenSearchProperties os = g.getOpensearch();
    if (g.getTargetFpir() != null) {
      require(
          g.getTargetFpir() > 0 && g.getTargetFpir() < 1,
          "semblance.gallery.target-fpir",
          g.getTargetFpir(),
          "a false positive identification rate is in (0, 1), e.g. 0.01");
    }
    require(
        g.getKey() == null || g.getKeyFile() == null,
        "semblance.gallery.key",
        "(hidden)",
        "set either semblance.gallery.key or semblance.gallery.key-file, not both");
    existingFile("semblance.gallery.key-file", g.getKeyFile());
    boolean keyed = g.getKey() != null || g.getKeyFile() != null;
    require(
        !keyed || g.getDirectory() != null,
        g.getKeyFile() != null ? "semblance.gallery.key-file" : "semblance.gallery.key",
        g.getKeyFile() != null ? g.getKeyFile() : "(hidden)",
        "a key encrypts a gallery directory, and semblance.gallery.directory is not set");
    if (os.getUrl() == null) {
      return;
    }
    require(
        g.getDirectory() == null,
        "semblance.gallery.opensearch.url",
        os.getUrl(),
        "a gallery is either a directory or an OpenSearch index: semblance.gallery.directory is"
            + " set too");
    require(
        ClassUtils.isPresent("dev.semblance.opensearch.OpenSearchGallery", classes),
        "semblance.gallery.opensearch.url",
        os.getUrl(),
        "add the dependency dev.semblance:semblance-opensearch for an OpenSearch gallery");
    require(
        os.getIndex() != null && !os.getIndex().isBlank(),
        "semblance.gallery.opensearch.index",
        os.getIndex(),
        "name the index of the gallery");
    require(
        os.getSearchWidth() > 0,
        "semblance.gallery.opensearch.search-width",
        os.getSearchWidth(),
        "must be positive");
    existingFile("semblance.gallery.opensearch.trusted-certificate", os.getTrustedCertificate());
  }

  private static void checkEnrolment(EnrolmentProperties e, boolean liveness) {
    require(
        e.getMinQuality() >= 0 && e.getMinQuality() <= 1,
        "semblance.enrolment.min-quality",
        e.getMinQuality(),
        "a quality score is in [0, 1]");
    require(
        e.getMaxYaw() > 0 && e.getMaxYaw() <= 90,
        "semblance.enrolment.max-yaw",
        e.getMaxYaw(),
        "a yaw limit is in (0, 90] degrees");
    require(
        e.getMinEyeDistance() >= 0 && Float.isFinite(e.getMinEyeDistance()),
        "semblance.enrolment.min-eye-distance",
        e.getMinEyeDistance(),
        "must be finite and not negative");
    require(
        !e.isRequireLive() || liveness,
        "semblance.enrolment.require-live",
        true,
        "needs semblance.encoder.liveness=true");
  }

  private static void existingFile(String property, Path file) {
    if (file != null) {
      require(
          Files.isRegularFile(file) && Files.isReadable(file),
          property,
          file,
          "no readable file at " + file.toAbsolutePath());
    }
  }

  private static void require(boolean ok, String property, Object value, String reason) {
    if (!ok) {
      throw new InvalidConfigurationPropertyValueException(property, value, reason);
    }
  }
}
