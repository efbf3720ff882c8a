package dev.semblance.spring;

import dev.semblance.Calibration;
import dev.semblance.EmbedderModel;
import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.GalleryDirectory;
import dev.semblance.QualityPolicy;
import dev.semblance.Telemetry;
import dev.semblance.Verifier;
import dev.semblance.opensearch.OpenSearchConnection;
import dev.semblance.opensearch.OpenSearchGallery;
import dev.semblance.spring.SemblanceProperties.EnrolmentProperties;
import dev.semblance.spring.SemblanceProperties.GalleryProperties;
import dev.semblance.spring.SemblanceProperties.OpenSearchProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * Semblance's beans from {@link SemblanceProperties}: one {@link Encoder} shared by every request
 * thread, the {@link Calibration}, a {@link Verifier}, the enrolment {@link QualityPolicy}, and a
 * {@link Gallery} in a durable directory ({@code semblance.gallery.directory}) or an OpenSearch
 * index ({@code semblance.gallery.opensearch.url}, with {@code semblance-opensearch} on the class
 * path). Each bean gives way to one the application defines. With Spring Boot's health support the
 * {@code semblance} health indicator reports the models and the gallery; with Micrometer the
 * encoder and the gallery are timed and counted ({@link MicrometerTelemetry}). The gallery is
 * closed, its log synced, when the application context closes; the encoder after it.
 *
 * <p><b>Thread safety.</b> Spring calls it once, at start-up; the beans it makes are safe for
 * concurrent use.
 */
@AutoConfiguration
@EnableConfigurationProperties(SemblanceProperties.class)
public class SemblanceAutoConfiguration {

  /** Checks every property at start-up, before any model is loaded. */
  public SemblanceAutoConfiguration(SemblanceProperties properties, ResourceLoader resources) {
    PropertyChecks.check(properties, resources.getClassLoader());
  }

  @Bean
  @ConditionalOnMissingBean
  public Calibration semblanceCalibration(SemblanceProperties properties) {
    if (properties.getCalibrationFile() == null) {
      return Calibration.bundled();
    }
    try {
      return Calibration.load(properties.getCalibrationFile());
    } catch (RuntimeException e) {
      throw new InvalidConfigurationPropertyValueException(
          "semblance.calibration-file", properties.getCalibrationFile(), e.getMessage());
    }
  }

  @Bean
  @ConditionalOnMissingBean
  public Encoder semblanceEncoder(
      SemblanceProperties properties, ObjectProvider<Telemetry> meters) {
    SemblanceProperties.EncoderProperties settings = properties.getEncoder();
    Encoder.Builder builder =
        Encoder.builder()
            .threads(settings.getThreads())
            .quality(settings.isQuality())
            .liveness(settings.isLiveness())
            .telemetry(meters.getIfAvailable(() -> Telemetry.NONE));
    if (settings.getModelFile() != null) {
      builder.embedder(EmbedderModel.fromFile(settings.getModelFile()).build());
    }
    return builder.build();
  }

  @Bean
  @ConditionalOnMissingBean
  public Verifier semblanceVerifier(SemblanceProperties properties, Calibration calibration) {
    SemblanceProperties.VerifierProperties settings = properties.getVerifier();
    Verifier verifier;
    if (settings.getTargetFar() != null) {
      try {
        verifier = Verifier.forTargetFar(calibration, settings.getTargetFar());
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigurationPropertyValueException(
            "semblance.verifier.target-far", settings.getTargetFar(), e.getMessage());
      }
    } else if (settings.getThreshold() != null) {
      verifier = Verifier.withThreshold(settings.getThreshold());
    } else {
      verifier = Verifier.withDefaultThreshold();
    }
    return settings.isRequireLive() ? verifier.requiringLiveness() : verifier;
  }

  @Bean
  @ConditionalOnMissingBean
  public QualityPolicy semblanceEnrolmentPolicy(SemblanceProperties properties) {
    EnrolmentProperties e = properties.getEnrolment();
    return new QualityPolicy(
        e.getMinQuality(), e.getMaxYaw(), e.isEyesOpen(), e.getMinEyeDistance(), e.isRequireLive());
  }

  /** Sets the gallery's target FPIR when one is configured. */
  private static Gallery withTargetFpir(
      Gallery gallery, GalleryProperties settings, Calibration calibration) {
    if (settings.getTargetFpir() != null) {
      try {
        gallery.setTargetFpir(calibration, settings.getTargetFpir());
      } catch (RuntimeException e) {
        gallery.close();
        throw new InvalidConfigurationPropertyValueException(
            "semblance.gallery.target-fpir", settings.getTargetFpir(), e.getMessage());
      }
    }
    return gallery;
  }

  /** A gallery in a durable, optionally encrypted directory. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty("semblance.gallery.directory")
  static class DirectoryGalleryConfiguration {
    @Bean
    @ConditionalOnMissingBean
    Gallery semblanceGallery(
        SemblanceProperties properties, Encoder encoder, Calibration calibration) {
      GalleryProperties settings = properties.getGallery();
      GalleryDirectory directory =
          Gallery.directory(settings.getDirectory())
              .embedder(encoder)
              .durability(settings.getDurability());
      if (settings.getKeyFile() != null) {
        directory.encryptionKey(GalleryDirectory.readKey(settings.getKeyFile()));
      } else if (settings.getKey() != null) {
        directory.encryptionKey(
            GalleryDirectory.key(
                settings.getKey().getBytes(StandardCharsets.US_ASCII), "semblance.gallery.key"));
      }
      return withTargetFpir(directory.open(), settings, calibration);
    }
  }

  /** A gallery in an OpenSearch index, shared by every instance of the application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(OpenSearchGallery.class)
  @ConditionalOnProperty("semblance.gallery.opensearch.url")
  static class OpenSearchGalleryConfiguration {
    @Bean
    @ConditionalOnMissingBean
    OpenSearchConnection semblanceOpenSearchConnection(SemblanceProperties properties) {
      OpenSearchProperties settings = properties.getGallery().getOpensearch();
      OpenSearchConnection.Builder connection = OpenSearchConnection.to(settings.getUrl());
      if (settings.getUsername() != null) {
        connection.credentials(
            settings.getUsername(), settings.getPassword() == null ? "" : settings.getPassword());
      }
      if (settings.getTrustedCertificate() != null) {
        connection.trustedCertificate(settings.getTrustedCertificate());
      }
      return connection.open();
    }

    @Bean
    @ConditionalOnMissingBean
    Gallery semblanceGallery(
        SemblanceProperties properties,
        OpenSearchConnection connection,
        Encoder encoder,
        Calibration calibration) {
      OpenSearchProperties settings = properties.getGallery().getOpensearch();
      Gallery gallery =
          OpenSearchGallery.builder(connection.client(), settings.getIndex())
              .embedder(encoder)
              .searchWidth(settings.getSearchWidth())
              .openOrCreate();
      return withTargetFpir(gallery, properties.getGallery(), calibration);
    }
  }

  /** Encoding, identification and refusals as Micrometer meters, and the gallery's size. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean(Telemetry.class)
    MicrometerTelemetry semblanceTelemetry(ObjectProvider<Gallery> gallery) {
      return new MicrometerTelemetry(gallery);
    }
  }

  /**
   * The {@code semblance} component of the application's health. Its switch sits on the method: a
   * condition on the class would be loaded before the class test, and fail without actuator.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnEnabledHealthIndicator("semblance")
    @ConditionalOnMissingBean(name = "semblanceHealthIndicator")
    HealthIndicator semblanceHealthIndicator(
        ObjectProvider<Encoder> encoder,
        ObjectProvider<Gallery> gallery,
        SemblanceProperties properties) {
      return new SemblanceHealthIndicator(encoder, gallery, properties.getGallery().getDirectory());
    }
  }
}
