package dev.semblance.spring;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code semblance} health component: up when the models are loaded and the gallery answers (a
 * directory gallery's directory writable, an OpenSearch gallery's index reachable), down with the
 * reason otherwise. Cheap: it runs no model and reads only the gallery's size.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use.
 */
final class SemblanceHealthIndicator implements HealthIndicator {
  private final ObjectProvider<Encoder> encoder;
  private final ObjectProvider<Gallery> gallery;
  private final Path directory;

  /**
   * @param directory the gallery's directory, checked for writing, or null
   */
  SemblanceHealthIndicator(
      ObjectProvider<Encoder> encoder, ObjectProvider<Gallery> gallery, Path directory) {
    this.encoder = encoder;
    this.gallery = gallery;
    this.directory = directory;
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up();
    Encoder models = encoder.getIfAvailable();
    if (models != null) {
      health
          .withDetail("embedder", models.embedderId())
          .withDetail("quality", models.measuresQuality())
          .withDetail("liveness", models.measuresLiveness());
    }
    Gallery enrolled = gallery.getIfAvailable();
    if (enrolled == null) {
      return health.withDetail("gallery", "none configured").build();
    }
    try {
      health
          .withDetail("subjects", enrolled.size())
          .withDetail("faces", enrolled.templateCount())
          .withDetail("threshold", enrolled.threshold());
    } catch (RuntimeException e) {
      return Health.down(e).withDetail("gallery", "does not answer").build();
    }
    if (directory != null) {
      health.withDetail("directory", directory.toString());
      if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
        return health.down().withDetail("gallery", "directory is not writable").build();
      }
    }
    return health.build();
  }
}
