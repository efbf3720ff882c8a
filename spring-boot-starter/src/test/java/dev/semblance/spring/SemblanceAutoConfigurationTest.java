package dev.semblance.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semblance.Calibration;
import dev.semblance.Encoder;
import dev.semblance.Face;
import dev.semblance.FaceRejectedException;
import dev.semblance.Gallery;
import dev.semblance.GalleryFormatException;
import dev.semblance.QualityPolicy;
import dev.semblance.Telemetry;
import dev.semblance.Verifier;
import dev.semblance.testing.TestData;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every condition of {@link SemblanceAutoConfiguration}, on the bundled models and photos of the
 * tv-characters set: which beans appear for which properties and class path, that the application's
 * own beans win, that bad properties stop the start naming themselves, and that the gallery is
 * closed with the context.
 */
class SemblanceAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SemblanceAutoConfiguration.class));

  @TempDir Path temp;

  private static Path photo(String person, int n) {
    return TestData.dir("tv-characters").resolve(person + "/" + person + n + ".png");
  }

  @Test
  void withoutAGalleryTheModelsVerifierAndPolicyComeAlone() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(Encoder.class).doesNotHaveBean(Gallery.class);
          assertThat(context.getBean(Verifier.class).threshold())
              .isEqualTo(Verifier.DEFAULT_THRESHOLD);
          assertThat(context.getBean(Calibration.class)).isEqualTo(Calibration.bundled());
          assertThat(context.getBean(QualityPolicy.class)).isEqualTo(QualityPolicy.DEFAULT);
          Encoder encoder = context.getBean(Encoder.class);
          assertThat(encoder.measuresQuality()).isFalse();
          Face leonard = encoder.encodeMainFace(photo("leonard", 1));
          assertThat(
                  context
                      .getBean(Verifier.class)
                      .verify(leonard, encoder.encodeMainFace(photo("leonard", 2)))
                      .match())
              .isTrue();
        });
  }

  @Test
  void aDirectoryGalleryIsOpenedAndClosedWithTheContextItsEnrolmentsKept() {
    Path directory = temp.resolve("gallery");
    runner
        .withPropertyValues("semblance.gallery.directory=" + directory)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Gallery.class);
              Encoder encoder = context.getBean(Encoder.class);
              context
                  .getBean(Gallery.class)
                  .enroll("penny", encoder.encodeMainFace(photo("penny", 1)).embedding());
            });
    // Closed with the context: the directory's lock is free and the enrolment is on disk.
    runner
        .withPropertyValues("semblance.gallery.directory=" + directory)
        .run(
            context -> {
              Encoder encoder = context.getBean(Encoder.class);
              Gallery gallery = context.getBean(Gallery.class);
              assertThat(gallery.identities()).containsExactly("penny");
              assertThat(
                      gallery
                          .identify(encoder.encodeMainFace(photo("penny", 3)).embedding(), 1)
                          .match())
                  .hasValueSatisfying(c -> assertThat(c.identity()).isEqualTo("penny"));
            });
  }

  @Test
  void anEncryptedDirectoryTakesItsKeyFromAFileOrAProperty() throws Exception {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    String key = Base64.getEncoder().encodeToString(raw);
    Path keyFile = Files.writeString(temp.resolve("gallery.key"), key + "\n");
    Path directory = temp.resolve("vault");
    runner
        .withPropertyValues(
            "semblance.gallery.directory=" + directory, "semblance.gallery.key-file=" + keyFile)
        .run(
            context ->
                context
                    .getBean(Gallery.class)
                    .enroll(
                        "raj",
                        context
                            .getBean(Encoder.class)
                            .encodeMainFace(photo("raj", 1))
                            .embedding()));
    runner
        .withPropertyValues("semblance.gallery.directory=" + directory)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasRootCauseInstanceOf(GalleryFormatException.class));
    runner
        .withPropertyValues(
            "semblance.gallery.directory=" + directory, "semblance.gallery.key=" + key)
        .run(context -> assertThat(context.getBean(Gallery.class).identities()).contains("raj"));
  }

  @Test
  void targetErrorRatesSetTheThresholdsFromTheCalibration() {
    runner
        .withPropertyValues(
            "semblance.verifier.target-far=1e-4",
            "semblance.gallery.directory=" + temp.resolve("g"),
            "semblance.gallery.target-fpir=0.001")
        .run(
            context -> {
              Calibration bundled = Calibration.bundled();
              assertThat(context.getBean(Verifier.class).threshold())
                  .isEqualTo(Verifier.forTargetFar(bundled, 1e-4).threshold())
                  .isNotEqualTo(Verifier.DEFAULT_THRESHOLD);
              try (Gallery same = Gallery.create(context.getBean(Encoder.class))) {
                same.setTargetFpir(bundled, 0.001);
                assertThat(context.getBean(Gallery.class).threshold()).isEqualTo(same.threshold());
              }
            });
    runner
        .withPropertyValues("semblance.verifier.threshold=0.5")
        .run(context -> assertThat(context.getBean(Verifier.class).threshold()).isEqualTo(0.5f));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    @Bean
    Verifier strictVerifier() {
      return Verifier.withThreshold(0.6f);
    }

    @Bean(destroyMethod = "close")
    Gallery ownGallery(Encoder encoder) {
      return Gallery.create(encoder);
    }

    @Bean
    QualityPolicy strictPolicy() {
      return QualityPolicy.DEFAULT.requiringEyesOpen();
    }
  }

  @Test
  void theApplicationsOwnBeansWin() {
    runner
        .withUserConfiguration(OwnBeans.class)
        .withPropertyValues("semblance.gallery.directory=" + temp.resolve("unused"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(Verifier.class).hasSingleBean(Gallery.class);
              assertThat(context.getBean(Verifier.class).threshold()).isEqualTo(0.6f);
              assertThat(context).getBean(Gallery.class).isSameAs(context.getBean("ownGallery"));
              assertThat(context.getBean(QualityPolicy.class).eyesOpen()).isTrue();
              assertThat(temp.resolve("unused")).doesNotExist();
            });
  }

  @Test
  void badPropertiesStopTheStartNamingTheProperty() throws Exception {
    Path missing = temp.resolve("no-such-file");
    assertRefused("semblance.verifier.target-far", "(0, 1)", "semblance.verifier.target-far=2");
    assertRefused(
        "semblance.verifier.threshold",
        "not both",
        "semblance.verifier.target-far=1e-3",
        "semblance.verifier.threshold=0.4");
    assertRefused("semblance.verifier.threshold", "[-1, 1]", "semblance.verifier.threshold=1.5");
    assertRefused(
        "semblance.verifier.require-live", "liveness", "semblance.verifier.require-live=true");
    assertRefused("semblance.encoder.threads", "negative", "semblance.encoder.threads=-1");
    assertRefused(
        "semblance.encoder.model-file",
        "no readable file",
        "semblance.encoder.model-file=" + missing);
    assertRefused(
        "semblance.calibration-file", "no readable file", "semblance.calibration-file=" + missing);
    assertRefused(
        "semblance.gallery.target-fpir",
        "(0, 1)",
        "semblance.gallery.directory=" + temp,
        "semblance.gallery.target-fpir=0");
    assertRefused(
        "semblance.gallery.key-file",
        "no readable file",
        "semblance.gallery.directory=" + temp,
        "semblance.gallery.key-file=" + missing);
    assertRefused("semblance.gallery.key", "directory is not set", "semblance.gallery.key=abc");
    assertRefused(
        "semblance.gallery.opensearch.url",
        "either a directory or an OpenSearch index",
        "semblance.gallery.directory=" + temp,
        "semblance.gallery.opensearch.url=http://127.0.0.1:9200",
        "semblance.gallery.opensearch.index=faces");
    assertRefused(
        "semblance.gallery.opensearch.index",
        "name the index",
        "semblance.gallery.opensearch.url=http://127.0.0.1:9200");
    assertRefused("semblance.enrolment.min-quality", "[0, 1]", "semblance.enrolment.min-quality=7");
    assertRefused("semblance.enrolment.max-yaw", "(0, 90]", "semblance.enrolment.max-yaw=0");
    // A key of the wrong size, found when the gallery opens: named by its property too.
    runner
        .withPropertyValues(
            "semblance.gallery.directory=" + temp.resolve("k"), "semblance.gallery.key=c2hvcnQ=")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("semblance.gallery.key holds a 40-bit key"));
  }

  private void assertRefused(String property, String reason, String... settings) {
    runner
        .withPropertyValues(settings)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .as("%s", List.of(settings))
                    .rootCause()
                    .isInstanceOfSatisfying(
                        InvalidConfigurationPropertyValueException.class,
                        e -> {
                          assertThat(e.getName()).isEqualTo(property);
                          assertThat(e.getReason()).contains(reason);
                        }));
  }

  @Test
  void anOpenSearchGalleryNeedsItsModuleAndConnectsToTheConfiguredCluster() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String[] settings = {
      "semblance.gallery.opensearch.url=http://127.0.0.1:" + closedPort,
      "semblance.gallery.opensearch.index=faces"
    };
    runner
        .withClassLoader(new FilteredClassLoader("dev.semblance.opensearch"))
        .withPropertyValues(settings)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("semblance-opensearch"));
    // With the module, the gallery is the index's: here no cluster answers, so the start fails
    // saying so instead of falling back to another gallery.
    runner
        .withPropertyValues(settings)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("semblanceGallery")
                  .hasStackTraceContaining("127.0.0.1:" + closedPort);
            });
  }

  @Test
  void theHealthIndicatorReportsTheModelsAndTheGalleryAndCanBeTurnedOff() {
    runner
        .withPropertyValues("semblance.gallery.directory=" + temp.resolve("h"))
        .run(
            context -> {
              HealthIndicator indicator =
                  context.getBean("semblanceHealthIndicator", HealthIndicator.class);
              Health up = indicator.health();
              assertThat(up.getStatus()).isEqualTo(Status.UP);
              assertThat(up.getDetails())
                  .containsEntry("subjects", 0)
                  .containsEntry("embedder", context.getBean(Encoder.class).embedderId());
              context.getBean(Gallery.class).close();
              Health down = indicator.health();
              assertThat(down.getStatus()).isEqualTo(Status.DOWN);
              assertThat(down.getDetails()).containsEntry("gallery", "does not answer");
            });
    runner
        .withPropertyValues("management.health.semblance.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("semblanceHealthIndicator"));
    runner
        // An application without actuator: none of Spring Boot's health classes.
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean("semblanceHealthIndicator");
              assertThat(context).hasSingleBean(Encoder.class);
            });
  }

  @Test
  void meterRegistriesCountEncodingIdentificationAndRefusalsByRule() {
    runner
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class))
        .withPropertyValues(
            "semblance.gallery.directory=" + temp.resolve("m"),
            "semblance.encoder.quality=true",
            "semblance.enrolment.min-eye-distance=400")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              Encoder encoder = context.getBean(Encoder.class);
              Gallery gallery = context.getBean(Gallery.class);
              List<Face> group =
                  encoder.encode(TestData.dir("tv-characters/group-photos").resolve("bbt4.jpg"));
              Face amy = encoder.encodeMainFace(photo("amy", 1));
              assertThatThrownBy(
                      () ->
                          gallery.enroll("amy", List.of(amy), context.getBean(QualityPolicy.class)))
                  .isInstanceOf(FaceRejectedException.class);
              gallery.enroll("amy", amy.embedding());
              gallery.identifyAll(group.stream().map(Face::embedding).toList(), 1);

              assertThat(registry.get("semblance.encode").timer().count()).isEqualTo(2);
              assertThat(registry.get("semblance.encode.faces").summary().totalAmount())
                  .isEqualTo(group.size() + 1);
              assertThat(registry.get("semblance.identify").timer().count())
                  .isEqualTo(group.size());
              assertThat(
                      registry
                          .get("semblance.enrolment.refused")
                          .tag("rule", "size")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(registry.get("semblance.gallery.subjects").gauge().value()).isEqualTo(1);
              assertThat(registry.get("semblance.gallery.faces").gauge().value()).isEqualTo(1);
            });
    runner
        .withClassLoader(new FilteredClassLoader("io.micrometer"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(Telemetry.class);
              assertThat(context).hasSingleBean(Encoder.class);
            });
  }
}
