package dev.semblance.internal.heads;

import dev.semblance.SemblanceException;
import dev.semblance.io.DurableFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The file of a trained head: {@code magic(8) version(u16) kind(utf) embedderId(utf) body
 * crc32c(u32)}, the checksum covering everything before it. The body is written and read by the
 * head itself.
 */
public final class HeadFile {
  private static final byte[] MAGIC = {(byte) 0x89, 'S', 'M', 'B', 'H', '\r', '\n', 0x1A};
  private static final int VERSION = 1;

  private HeadFile() {}

  public interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  public static void write(Path file, String kind, String embedderId, Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(MAGIC);
      out.writeShort(VERSION);
      out.writeUTF(kind);
      out.writeUTF(embedderId);
      body.write(out);
      out.flush();
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
      DurableFiles.replaceOrThrow(file, bytes::writeTo);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e, e);
    }
  }

  /** An opened head file: its embedder id and a stream positioned at the body. */
  public record Opened(String embedderId, DataInputStream body) {}

  public static Opened read(Path file, String kind) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
    if (all.length < MAGIC.length + 6 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new SemblanceException("not a Semblance head file: " + file);
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
      throw new SemblanceException("head file is damaged (checksum mismatch): " + file);
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4));
      in.skipNBytes(MAGIC.length);
      int version = in.readUnsignedShort();
      if (version != VERSION) {
        throw new SemblanceException(
            "head file version " + version + " is not " + VERSION + ": " + file);
      }
      String actualKind = in.readUTF();
      if (!actualKind.equals(kind)) {
        throw new SemblanceException(
            file + " holds a " + actualKind + " head, not a " + kind + " head");
      }
      return new Opened(in.readUTF(), in);
    } catch (IOException e) {
      throw new SemblanceException("head file is damaged: " + file + ": " + e, e);
    }
  }
}
