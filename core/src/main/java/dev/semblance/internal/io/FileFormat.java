package dev.semblance.internal.io;

import dev.semblance.CorruptFileException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The frame every Semblance file shares, as Lucene's {@code CodecUtil}: a header of magic number
 * and format version, and a CRC32C footer over everything before it. The magic is {@code \x89 S M
 * B} and a letter for the kind of file, then {@code \r \n \x1A}, as PNG's: a file damaged by a
 * text-mode transfer or opened as text announces itself. Files whose records must survive a torn
 * write (the gallery log) checksum each record instead of the whole, with {@link #crc32c}.
 *
 * <p>Thread safety: stateless; the streams are for one thread.
 */
public final class FileFormat {
  /**
   * A kind of file, as its owner declares it: the letter of its magic number (G gallery snapshot, L
   * gallery log, H trained head, C clusters), the newest format version this Semblance writes and
   * reads, what the file is called in messages, and the exception its damage raises.
   */
  public record Kind(
      char letter,
      int version,
      String what,
      Function<String, ? extends CorruptFileException> corrupt) {}

  /** Bytes of magic number and version. */
  public static final int HEADER_BYTES = 10;

  private FileFormat() {}

  /** The magic number of a kind of file. */
  public static byte[] magic(Kind kind) {
    return new byte[] {(byte) 0x89, 'S', 'M', 'B', (byte) kind.letter(), '\r', '\n', 0x1A};
  }

  /** Writes the header of a {@code kind} file in its newest format. */
  public static void writeHeader(DataOutputStream out, Kind kind) throws IOException {
    out.write(magic(kind));
    out.writeShort(kind.version());
  }

  /**
   * Reads and checks a header.
   *
   * @param source names the file in messages
   * @return the file's format version, in [1, the kind's newest]
   * @throws CorruptFileException of the kind's class, for another kind of file, a version newer
   *     than this Semblance reads (saying to upgrade) or an invalid one
   */
  public static int readHeader(DataInputStream in, Kind kind, String source) throws IOException {
    String what = kind.what();
    Function<String, ? extends CorruptFileException> corrupt = kind.corrupt();
    int newest = kind.version();
    byte[] header = in.readNBytes(HEADER_BYTES);
    if (header.length < 8 || !Arrays.equals(Arrays.copyOf(header, 8), magic(kind))) {
      throw corrupt.apply("not a Semblance " + what + " (bad magic number): " + source);
    }
    if (header.length < HEADER_BYTES) {
      throw corrupt.apply(what + " is truncated inside its header: " + source);
    }
    int version = ByteBuffer.wrap(header, 8, 2).getShort() & 0xFFFF;
    if (version > newest) {
      throw corrupt.apply(
          what
              + " format version "
              + version
              + " is newer than the "
              + newest
              + " this Semblance reads; upgrade Semblance: "
              + source);
    }
    if (version < 1) {
      throw corrupt.apply("invalid " + what + " format version " + version + ": " + source);
    }
    return version;
  }

  /** The CRC32C of {@code bytes}. */
  public static int crc32c(byte[] bytes) {
    return crc32c(bytes, 0, bytes.length);
  }

  /** The CRC32C of {@code length} bytes from {@code offset}. */
  public static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /**
   * The content of a small file read whole, between its header and its footer, once both are
   * checked: nothing of a damaged file is parsed.
   *
   * @throws CorruptFileException as {@link #readHeader}, or if the footer does not match
   */
  public static DataInputStream verified(byte[] file, Kind kind, String source) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(file));
    readHeader(in, kind, source);
    int body = file.length - HEADER_BYTES - Integer.BYTES;
    if (body < 0
        || crc32c(file, 0, file.length - Integer.BYTES)
            != ByteBuffer.wrap(file, file.length - Integer.BYTES, Integer.BYTES).getInt()) {
      throw kind.corrupt().apply(source + " is damaged: its checksum does not match");
    }
    return new DataInputStream(new ByteArrayInputStream(file, HEADER_BYTES, body));
  }

  /**
   * Writes a whole file: header, what the caller writes, then {@link #finish()} adds the footer,
   * the CRC32C of every byte before it.
   */
  public static final class Writer extends DataOutputStream {
    private final CheckedOutputStream checked;

    public Writer(OutputStream out, Kind kind) throws IOException {
      this(new CheckedOutputStream(out, new CRC32C()));
      writeHeader(this, kind);
    }

    private Writer(CheckedOutputStream checked) {
      super(checked);
      this.checked = checked;
    }

    /** Writes the footer and flushes; write nothing after. */
    public void finish() throws IOException {
      flush();
      int crc = (int) checked.getChecksum().getValue();
      writeInt(crc);
      flush();
    }
  }

  /**
   * Reads a whole file: the header on construction, the caller's fields, then {@link #finish()}
   * checks the footer and that nothing follows it. A read past the end throws {@link EOFException}:
   * {@link #cutShort} turns it into the clear error.
   */
  public static final class Reader extends DataInputStream {
    private final CheckedInputStream checked;
    private final String source;
    private final Function<String, ? extends CorruptFileException> corrupt;
    private final int version;

    public Reader(InputStream in, Kind kind, String source) throws IOException {
      this(new CheckedInputStream(in, new CRC32C()), kind, source);
    }

    private Reader(CheckedInputStream checked, Kind kind, String source) throws IOException {
      super(checked);
      this.checked = checked;
      this.source = source;
      this.corrupt = kind.corrupt();
      this.version = readHeader(this, kind, source);
    }

    public int version() {
      return version;
    }

    /** Checks the footer against every byte read, and that the file ends there. */
    public void finish() throws IOException {
      int computed = (int) checked.getChecksum().getValue();
      int stored = readInt();
      if (stored != computed) {
        throw damaged("its checksum does not match");
      }
      if (read() >= 0) {
        throw damaged("it has data after its end");
      }
    }

    /** The error for a file whose content is impossible: {@code why} says why. */
    public CorruptFileException damaged(String why) {
      return corrupt.apply(source + " is damaged: " + why);
    }

    /** The error for a read past the end. */
    public CorruptFileException cutShort(EOFException e) {
      CorruptFileException error = corrupt.apply(source + " is damaged: it is cut short");
      error.initCause(e);
      return error;
    }
  }
}
