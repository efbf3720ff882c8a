package dev.semblance;

import dev.semblance.internal.gallery.DirectoryBacking;
import dev.semblance.internal.gallery.RecordCipher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens a {@link Gallery} kept in a directory ({@link Gallery#directory}). Every enrolment, removal
 * and threshold change is appended to a log on disk before it is applied, and with a durable {@link
 * Durability} the call returns only once that record is on disk; reopening after a crash replays
 * the log, cutting off a record the crash tore (with a warning). The log is compacted into a
 * snapshot as it grows, or by {@link Gallery#compact()}; a compacted directory holds no trace of
 * removed identities. One process at a time may have a directory open; {@link Gallery#close()}
 * releases it.
 *
 * <p><b>Thread safety.</b> Not thread-safe; use one builder from one thread.
 */
public final class GalleryDirectory {
  private final Path directory;
  private String embedderId;
  private int dimension;
  private GalleryOptions options = GalleryOptions.defaults();
  private Durability durability = Durability.GROUP_COMMIT;
  private SecretKey key;

  GalleryDirectory(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** The embedder whose templates the directory holds: {@code encoder}'s. */
  public GalleryDirectory embedder(Encoder encoder) {
    return embedder(encoder.embedderId(), encoder.dimension());
  }

  /** The embedder whose templates the directory holds, by id and dimension. */
  public GalleryDirectory embedder(String embedderId, int dimension) {
    this.embedderId = Objects.requireNonNull(embedderId, "embedderId");
    this.dimension = dimension;
    return this;
  }

  /** Search options; {@link GalleryOptions#defaults()} if not set. */
  public GalleryDirectory options(GalleryOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return this;
  }

  /** When a change is on disk; {@link Durability#GROUP_COMMIT} if not set. */
  public GalleryDirectory durability(Durability durability) {
    this.durability = Objects.requireNonNull(durability, "durability");
    return this;
  }

  /**
   * Seals every record of the directory's files with AES-GCM under {@code key}, bound to its file
   * and position, so that without the key the templates and names cannot be read and any change to
   * the files is detected. The key is never stored; keep it in a key store. A new directory is
   * created encrypted.
   *
   * @throws IllegalArgumentException if {@code key} is not an AES key of 128, 192 or 256 bits
   */
  public GalleryDirectory encryptionKey(SecretKey key) {
    RecordCipher.of(Objects.requireNonNull(key, "key")); // checks it now, where the caller is
    this.key = key;
    return this;
  }

  /**
   * Opens the directory, creating it if absent.
   *
   * @throws IllegalStateException if no embedder was named
   * @throws GalleryLockedException if the directory is open elsewhere
   * @throws GalleryFormatException if a file is damaged (other than a torn last log record), the
   *     snapshot and log do not belong together, the directory holds another embedder's or
   *     dimension's templates, the key is wrong, or a key is given for a plain directory or none
   *     for an encrypted one
   * @throws UncheckedIOException if the directory cannot be read or written
   */
  public Gallery open() {
    if (embedderId == null) {
      throw new IllegalStateException("name the embedder of " + directory + " before opening it");
    }
    return new Gallery(
        new DirectoryBacking(
            directory,
            embedderId,
            dimension,
            options,
            Gallery.newPolicy(embedderId),
            durability,
            key == null ? null : RecordCipher.of(key)));
  }

  /**
   * The AES key held in {@code file}: 16, 24 or 32 raw bytes, or Base64 of them (as {@code
   * semblance keys} and {@code openssl rand -base64 32} write them).
   *
   * @throws IllegalArgumentException if the file holds no such key
   * @throws UncheckedIOException if the file cannot be read
   */
  public static SecretKey readKey(Path file) {
    try {
      return key(Files.readAllBytes(file), "key file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file + ": " + e, e);
    }
  }

  /**
   * An AES key from 16, 24 or 32 raw bytes, or Base64 of them.
   *
   * @param source what holds the key, for messages, e.g. {@code "key file k.bin"}
   * @throws IllegalArgumentException naming {@code source} if the bytes hold no such key
   */
  public static SecretKey key(byte[] rawOrBase64, String source) {
    byte[] bytes = rawOrBase64;
    if (!isAesKeyLength(bytes.length)) {
      try {
        bytes = Base64.getDecoder().decode(new String(bytes, StandardCharsets.US_ASCII).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + " holds neither 16, 24 or 32 raw bytes nor Base64 of them", e);
      }
    }
    if (!isAesKeyLength(bytes.length)) {
      throw new IllegalArgumentException(
          source + " holds a " + 8 * bytes.length + "-bit key; AES takes 128, 192 or 256");
    }
    return new SecretKeySpec(bytes, "AES");
  }

  private static boolean isAesKeyLength(int bytes) {
    return bytes == 16 || bytes == 24 || bytes == 32;
  }
}
