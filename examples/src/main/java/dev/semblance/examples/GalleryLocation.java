package dev.semblance.examples;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.GalleryDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
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
        builder.encryptionKey(readKey(keyFile));
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

  static SecretKey readKey(Path file) {
    try {
      return key(Files.readAllBytes(file), "key file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file + ": " + e, e);
    }
  }

  /**
   * An AES key from 16, 24 or 32 raw bytes, or Base64 of them.
   *
   * @param source what holds the key, for messages, e.g. "key file k.bin"
   */
  static SecretKey key(byte[] bytes, String source) {
    if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
      try {
        bytes = Base64.getDecoder().decode(new String(bytes, StandardCharsets.US_ASCII).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + " holds neither 16, 24 or 32 raw bytes nor Base64 of them");
      }
    }
    if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
      throw new IllegalArgumentException(
          source + " holds a " + 8 * bytes.length + "-bit key; AES takes 128, 192 or 256");
    }
    return new SecretKeySpec(bytes, "AES");
  }
}
