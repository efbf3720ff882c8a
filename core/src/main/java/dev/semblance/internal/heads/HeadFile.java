package dev.semblance.internal.heads;

import dev.semblance.CorruptFileException;
import dev.semblance.internal.io.FileFormat;
import dev.semblance.io.DurableFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file of a trained head, in the {@link FileFormat} frame: {@code header kind(utf)
 * embedderId(utf) body footer}. The body is written and read by the head itself.
 *
 * <p>Thread safety: stateless.
 */
public final class HeadFile {
  private static final FileFormat.Kind HEAD =
      new FileFormat.Kind('H', 1, "head file", CorruptFileException::new);

  private HeadFile() {}

  /** Writes a head's own fields. */
  public interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  public static void write(Path file, String kind, String embedderId, Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      FileFormat.Writer out = new FileFormat.Writer(bytes, HEAD);
      out.writeUTF(kind);
      out.writeUTF(embedderId);
      body.write(out);
      out.finish();
      DurableFiles.replaceOrThrow(file, bytes::writeTo);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e, e);
    }
  }

  /** An opened head file: its embedder id and a stream positioned at the body. */
  public record Opened(String embedderId, DataInputStream body) {}

  /**
   * Opens a head file of {@code kind}, its checksum verified.
   *
   * @throws CorruptFileException if it is not a head file, is damaged or holds another kind
   * @throws UncheckedIOException if it cannot be read
   */
  public static Opened read(Path file, String kind) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
    try {
      DataInputStream in = FileFormat.verified(all, HEAD, file.toString());
      String actualKind = in.readUTF();
      if (!actualKind.equals(kind)) {
        throw new CorruptFileException(
            file + " holds a " + actualKind + " head, not a " + kind + " head");
      }
      return new Opened(in.readUTF(), in);
    } catch (IOException e) {
      throw new CorruptFileException("head file is damaged: " + file + ": " + e, e);
    }
  }
}
