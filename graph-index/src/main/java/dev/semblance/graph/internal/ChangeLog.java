package dev.semblance.graph.internal;

import dev.semblance.GalleryFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The truth of a graph gallery: a header (embedder, dimension) and then every change as a record
 * framed by its length and a CRC32C. The rows' vectors live in the {@link RowFile}; a record only
 * names them. A record is acknowledged once {@link #sync()} returns; a crash may leave a torn last
 * record, which opening cuts off (it was never acknowledged).
 *
 * <p>Thread safety: not thread-safe; the store serialises writes.
 */
final class ChangeLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeLog.class);
  private static final long MAGIC = 0x534D42475241504CL; // "SMBGRAPL"
  private static final int VERSION = 1;

  /** A record longer than this is damage, not data (a million-row bulk record is ~16 MB). */
  private static final int MAX_RECORD = 1 << 28;

  /** The changes a record may hold. */
  sealed interface Entry {}

  /** {@code identity} gains rows {@code first} to {@code first + count - 1}. */
  record Added(String identity, int first, int count) implements Entry {}

  record Removed(String identity) implements Entry {}

  record Renamed(String from, String to) implements Entry {}

  /** Rows of {@code identity} dropped one by one. */
  record RowsRemoved(String identity, int[] rows) implements Entry {}

  record Settings(float threshold, double targetFpir) implements Entry {}

  /** The header of a log. */
  record Header(String embedderId, int dimension) {}

  private final FileChannel channel;
  private final Header header;

  private ChangeLog(FileChannel channel, Header header) {
    this.channel = channel;
    this.header = header;
  }

  /** Writes a new log holding only {@code header} and {@code entries}, durably. */
  static ChangeLog create(Path file, Header header, List<Entry> entries) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    ChangeLog created = new ChangeLog(channel, header);
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeLong(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(header.embedderId());
      out.writeInt(header.dimension());
      created.write(frame(bytes.toByteArray()));
      for (Entry e : entries) {
        created.append(e);
      }
      created.sync();
      return created;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Opens {@code file}, hands every intact record to {@code replay} in order and cuts off a torn
   * tail.
   *
   * @throws GalleryFormatException if the file is not a graph gallery's log
   */
  static ChangeLog open(Path file, Consumer<Entry> replay) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(all);
    byte[] head = nextFrame(in);
    if (head == null) {
      throw new GalleryFormatException(file + " is not a Semblance graph gallery (no header)");
    }
    Header header;
    try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(head))) {
      if (data.readLong() != MAGIC) {
        throw new GalleryFormatException(file + " is not a Semblance graph gallery");
      }
      int version = data.readInt();
      if (version != VERSION) {
        throw new GalleryFormatException(
            file + " has format version " + version + "; this Semblance reads " + VERSION);
      }
      header = new Header(data.readUTF(), data.readInt());
    }
    int end = in.position();
    for (byte[] record = nextFrame(in); record != null; record = nextFrame(in)) {
      replay.accept(decode(record));
      end = in.position();
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (end < all.length) {
      log.warn(
          "{}: {} bytes after the last intact change cut off (a write the crash interrupted)",
          file,
          all.length - end);
      channel.truncate(end);
      channel.force(false);
    }
    channel.position(end);
    return new ChangeLog(channel, header);
  }

  Header header() {
    return header;
  }

  /** Appends {@code entry}; durable only after {@link #sync()}. */
  void append(Entry entry) throws IOException {
    write(frame(encode(entry)));
  }

  void sync() throws IOException {
    channel.force(false);
  }

  private void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static byte[] frame(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return ByteBuffer.allocate(payload.length + 8)
        .putInt(payload.length)
        .put(payload)
        .putInt((int) crc.getValue())
        .array();
  }

  /** The next intact record's payload, or null at the end or at a torn or damaged record. */
  private static byte[] nextFrame(ByteBuffer in) {
    if (in.remaining() < 8) {
      return null;
    }
    int start = in.position();
    int length = in.getInt();
    if (length < 0 || length > MAX_RECORD || in.remaining() < length + 4) {
      in.position(start);
      return null;
    }
    byte[] payload = new byte[length];
    in.get(payload);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    if (in.getInt() != (int) crc.getValue()) {
      in.position(start);
      return null;
    }
    return payload;
  }

  private static byte[] encode(Entry entry) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      if (entry instanceof Added a) {
        out.writeByte(1);
        out.writeUTF(a.identity());
        out.writeInt(a.first());
        out.writeInt(a.count());
      } else if (entry instanceof Removed r) {
        out.writeByte(2);
        out.writeUTF(r.identity());
      } else if (entry instanceof Renamed r) {
        out.writeByte(3);
        out.writeUTF(r.from());
        out.writeUTF(r.to());
      } else if (entry instanceof RowsRemoved r) {
        out.writeByte(4);
        out.writeUTF(r.identity());
        out.writeInt(r.rows().length);
        for (int row : r.rows()) {
          out.writeInt(row);
        }
      } else {
        Settings s = (Settings) entry;
        out.writeByte(5);
        out.writeFloat(s.threshold());
        out.writeDouble(s.targetFpir());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }

  private static Entry decode(byte[] record) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
      int type = in.readByte();
      switch (type) {
        case 1:
          return new Added(in.readUTF(), in.readInt(), in.readInt());
        case 2:
          return new Removed(in.readUTF());
        case 3:
          return new Renamed(in.readUTF(), in.readUTF());
        case 4:
          String identity = in.readUTF();
          int[] rows = new int[in.readInt()];
          for (int i = 0; i < rows.length; i++) {
            rows[i] = in.readInt();
          }
          return new RowsRemoved(identity, rows);
        case 5:
          return new Settings(in.readFloat(), in.readDouble());
        default:
          throw new GalleryFormatException("unknown change type " + type + " in a graph gallery");
      }
    } catch (EOFException e) {
      throw new GalleryFormatException("a change record of a graph gallery is cut short");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
