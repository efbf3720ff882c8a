package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the gallery file a command names, refusing one made by another embedder. */
final class GalleryFiles {
  private GalleryFiles() {}

  static Gallery open(Path file, Encoder encoder, boolean mayCreate) {
    if (!Files.exists(file)) {
      if (!mayCreate) {
        throw new IllegalArgumentException("gallery file does not exist: " + file);
      }
      return Gallery.create(encoder);
    }
    Gallery gallery = Gallery.load(file);
    if (!gallery.embedderId().equals(encoder.embedderId())) {
      throw new IllegalArgumentException("gallery " + file + " holds templates of embedder "
          + gallery.embedderId() + ", but this encoder is " + encoder.embedderId()
          + "; embeddings of different models cannot be compared");
    }
    return gallery;
  }
}
