package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.GalleryDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where a command's gallery lives: a file saved whole ({@code --gallery}) or a durable directory
 * ({@code --gallery-dir}), optionally encrypted with a key read from a file ({@code --key-file}).
 */
final class GalleryLocation {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  @Option(
      names = "--key-file",
      paramLabel = "FILE",
      description =
          "AES key of an encrypted gallery directory: 16, 24 or 32 bytes, raw or in Base64.")
  Path keyFile;

  static final class Where {
    @Option(names = "--gallery", paramLabel = "FILE", description = "A gallery file.")
    Path file;

    @Option(
        names = "--gallery-dir",
        paramLabel = "DIR",
        description = "A durable gallery directory: each change is on disk when it is made.")
    Path directory;
  }

  /**
   * Opens the gallery for {@code encoder}'s embeddings; a missing one is created when {@code
   * mayCreate}.
   *
   * @throws IllegalArgumentException if it is missing and may not be created, holds another
   *     embedder's templates, or a key file is given for a gallery file
   */
  Gallery open(Encoder encoder, boolean mayCreate) {
    if (where.directory != null) {
      if (!mayCreate && !Files.isDirectory(where.directory)) {
        throw new IllegalArgumentException("gallery directory does not exist: " + where.directory);
      }
      GalleryDirectory builder = Gallery.directory(where.directory).embedder(encoder);
      if (keyFile != null) {
        builder.encryptionKey(GalleryDirectory.readKey(keyFile));
      }
      return builder.open();
    }
    if (keyFile != null) {
      throw new IllegalArgumentException(
          "--key-file encrypts gallery directories; " + where.file + " is a gallery file");
    }
    if (!Files.exists(where.file)) {
      if (!mayCreate) {
        throw new IllegalArgumentException("gallery file does not exist: " + where.file);
      }
      return Gallery.create(encoder);
    }
    Gallery gallery = Gallery.load(where.file);
    if (!gallery.embedderId().equals(encoder.embedderId())) {
      throw new IllegalArgumentException(
          "gallery "
              + where.file
              + " holds templates of embedder "
              + gallery.embedderId()
              + ", but this encoder is "
              + encoder.embedderId()
              + "; embeddings of different models cannot be compared");
    }
    return gallery;
  }

  /** Makes the command's changes durable: a directory already is; a file is saved whole. */
  void save(Gallery gallery) {
    if (where.file != null) {
      gallery.save(where.file);
    }
  }

  @Override
  public String toString() {
    return (where.file != null ? where.file : where.directory).toString();
  }
}
