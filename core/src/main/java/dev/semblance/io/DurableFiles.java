package dev.semblance.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way Semblance makes a file durable, as Lucene's {@code IOUtils.fsync}: a file is replaced
 * by writing a temporary file in the same folder, forcing it to the device, renaming it over the
 * target atomically and forcing the folder, so that a crash at any point leaves either the old file
 * or the new one, never a mix; a failed write deletes its temporary file.
 *
 * <p>Thread safety: stateless; concurrent replacements of the same file each leave a whole file.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /** Writes the content of a file; may throw, and the old file then stays as it was. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Replaces {@code file} (created if absent, with its folders) by what {@code content} writes.
   *
   * @throws UncheckedIOException if it cannot be written; {@code file} is then unchanged and no
   *     temporary file is left
   */
  public static void replace(Path file, Content content) {
    try {
      replaceOrThrow(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e, e);
    }
  }

  /** {@link #replace}, for callers that wrap the {@link IOException} in their own message. */
  public static void replaceOrThrow(Path file, Content content) throws IOException {
    Path target = file.toAbsolutePath();
    Path folder = target.getParent();
    Files.createDirectories(folder);
    Path temp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
        content.writeTo(out);
        out.flush();
        channel.force(true);
      }
      move(temp, target);
      temp = null;
      fsyncFolder(folder);
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * Renames {@code from} over {@code to}, atomically where the file system can. The caller has
   * forced {@code from}; call {@link #fsyncFolder} after to make the rename itself durable.
   */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Forces a folder's entries (new names, renames, deletions) to the device. Best effort: not every
   * platform lets a folder be opened, and there the renames are as durable as it allows.
   */
  public static void fsyncFolder(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // See above: nothing more can be done on such a platform.
    }
  }
}
