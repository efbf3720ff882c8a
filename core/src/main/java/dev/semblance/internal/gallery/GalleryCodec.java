// Over 400 lines: the whole gallery file format, snapshot and log, written and read in one
// place, so that a reader can check each record against the writer beside it.
package dev.semblance.internal.gallery;

import dev.semblance.GalleryFormatException;
import dev.semblance.internal.io.FileFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The gallery file format, version 1.
 *
 * <pre>
 * file    := header(magic(8) version(u16), see FileFormat) flags(u16) record*
 * record  := length(u32) crc32c(u32, of payload) payload(length bytes)
 * payload := type(u8) body
 *   HEADER (1): embedderId(utf) dimension(i32) threshold(f32) targetFpir(f64, NaN if none)
 *   ENROLL  (2): identity(utf) count(i32) count × dimension × f32     -- templates added
 *   REMOVE (3): identity(utf)                                        -- identity erased
 *   SETTINGS (4): threshold(f32) targetFpir(f64, NaN if none)        -- threshold changed
 *   LOG_HEADER (5): embedderId(utf) dimension(i32) generation(i64)  -- first record of a log
 *   RENAME (6): from(utf) to(utf)                                      -- identity renamed
 *   REMOVE_TEMPLATE (7): identity(utf) 1 × dimension × f32           -- one template erased
 *   END  (127): records(i64) templates(i64)                          -- last record
 * </pre>
 *
 * All integers are big-endian; {@code utf} is a u16 length and UTF-8 bytes. Records are
 * self-delimiting and checksummed. A snapshot (magic {@code \x89SMBG}) holds HEADER, ENROLL and END
 * records; the END record makes truncation at a record boundary detectable. A log (magic {@code
 * \x89SMBL}) holds a LOG_HEADER naming the snapshot generation it follows, then ENROLL, REMOVE and
 * SETTINGS records appended one operation at a time; it has no END, so a crash can leave its last
 * record torn, which {@link #readLog} tells apart from damage further in. Log records carry a
 * checksum of their length too ({@code length(u32) crc32c(length) crc32c(payload) payload}): a
 * damaged length can then never pass for a record torn at the end of the file.
 */
public final class GalleryCodec {
  public static final int VERSION = 1;
  static final FileFormat.Kind SNAPSHOT =
      new FileFormat.Kind('G', VERSION, "gallery file", GalleryFormatException::new);
  static final FileFormat.Kind LOG =
      new FileFormat.Kind('L', VERSION, "gallery log", GalleryFormatException::new);
  static final int HEADER = 1;
  static final int ENROLL = 2;
  static final int REMOVE = 3;
  static final int SETTINGS = 4;
  static final int LOG_HEADER = 5;
  static final int RENAME = 6;
  static final int REMOVE_TEMPLATE = 7;
  static final int END = 127;
  static final int MAX_RECORD = 256 << 20;

  /** Header flag: every record payload is sealed with AES-GCM ({@link RecordCipher}). */
  static final int ENCRYPTED = 1;

  static final int MAX_DIMENSION = 1 << 16;

  private GalleryCodec() {}

  /** The first record of a snapshot or a log: whose templates the file holds. */
  public record Header(String embedderId, int dimension) {}

  /** Where a log's valid records end, and how many there are (its header included). */
  public record LogEnd(long validBytes, long records) {}

  // ---- log records -------------------------------------------------------------------------

  /** The start of a new log: magic, version, flags and its LOG_HEADER record. */
  public static byte[] logStart(
      String embedderId, int dimension, long generation, RecordCipher cipher) {
    ByteBuffer start = ByteBuffer.allocate(FileFormat.HEADER_BYTES + 2);
    start
        .put(FileFormat.magic(LOG))
        .putShort((short) VERSION)
        .putShort((short) (cipher == null ? 0 : ENCRYPTED));
    byte[] header =
        logRecord(
            payload(
                LOG_HEADER,
                body -> {
                  body.writeUTF(embedderId);
                  body.writeInt(dimension);
                  body.writeLong(generation);
                }),
            cipher,
            generation,
            0);
    byte[] all = Arrays.copyOf(start.array(), start.capacity() + header.length);
    System.arraycopy(header, 0, all, start.capacity(), header.length);
    return all;
  }

  /** The payload of a log record that makes {@code change}. */
  public static byte[] payload(Change change, int dimension) {
    if (change instanceof Change.Enroll e) {
      return payload(ENROLL, body -> writeEnroll(body, e.identity(), e.templates(), dimension));
    }
    if (change instanceof Change.Remove r) {
      return payload(REMOVE, body -> body.writeUTF(r.identity()));
    }
    if (change instanceof Change.Rename r) {
      return payload(
          RENAME,
          body -> {
            body.writeUTF(r.from());
            body.writeUTF(r.to());
          });
    }
    if (change instanceof Change.RemoveTemplate t) {
      return payload(
          REMOVE_TEMPLATE,
          body -> writeEnroll(body, t.identity(), List.of(t.template()), dimension));
    }
    Change.Settings settings = (Change.Settings) change;
    return payload(
        SETTINGS,
        body -> {
          body.writeFloat(settings.threshold());
          body.writeDouble(settings.targetFpir());
        });
  }

  private static void writeEnroll(
      DataOutputStream body, String identity, List<float[]> vectors, int dimension)
      throws IOException {
    body.writeUTF(identity);
    body.writeInt(vectors.size());
    ByteBuffer buf = ByteBuffer.allocate(dimension * Float.BYTES);
    for (float[] v : vectors) {
      buf.clear();
      buf.asFloatBuffer().put(v, 0, dimension);
      body.write(buf.array());
    }
  }

  private interface Body {
    void write(DataOutputStream body) throws IOException;
  }

  /**
   * A log record: length, CRC32C of the length, CRC32C of the payload, payload; the payload sealed
   * first when the log is encrypted, bound to the log's generation and the record's index.
   */
  public static byte[] logRecord(byte[] payload, RecordCipher cipher, long generation, long index) {
    byte[] p =
        cipher == null
            ? payload
            : cipher.seal(payload, RecordCipher.associatedData('L', generation, index));
    return ByteBuffer.allocate(12 + p.length)
        .putInt(p.length)
        .putInt(lengthCrc(p.length))
        .putInt(crc(p))
        .put(p)
        .array();
  }

  private static byte[] payload(int type, Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream payload = new DataOutputStream(bytes);
      payload.writeByte(type);
      body.write(payload);
      payload.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
  }

  private static int crc(byte[] bytes) {
    return FileFormat.crc32c(bytes);
  }

  private static int lengthCrc(int length) {
    return crc(ByteBuffer.allocate(4).putInt(length).array());
  }

  // ---- writing -----------------------------------------------------------------------------

  public static final class Writer {
    private final DataOutputStream out;
    private final int dimension;
    private final RecordCipher cipher;
    private long records;
    private long templates;

    /**
     * @param cipher seals every record, or null for a plain file
     */
    public Writer(
        OutputStream out,
        String embedderId,
        int dimension,
        float threshold,
        double targetFpir,
        RecordCipher cipher)
        throws IOException {
      this.out = new DataOutputStream(out);
      this.dimension = dimension;
      this.cipher = cipher;
      FileFormat.writeHeader(this.out, SNAPSHOT);
      this.out.writeShort(cipher == null ? 0 : ENCRYPTED);
      record(
          HEADER,
          body -> {
            body.writeUTF(embedderId);
            body.writeInt(dimension);
            body.writeFloat(threshold);
            body.writeDouble(targetFpir);
          });
    }

    public void enroll(String identity, List<float[]> vectors) throws IOException {
      record(ENROLL, body -> writeEnroll(body, identity, vectors, dimension));
      templates += vectors.size();
    }

    public void finish() throws IOException {
      long n = records + 1;
      record(
          END,
          body -> {
            body.writeLong(n);
            body.writeLong(templates);
          });
      out.flush();
    }

    private void record(int type, Body body) throws IOException {
      byte[] p = payload(type, body);
      if (cipher != null) {
        p = cipher.seal(p, RecordCipher.associatedData('S', 0, records));
      }
      out.write(ByteBuffer.allocate(8 + p.length).putInt(p.length).putInt(crc(p)).put(p).array());
      records++;
    }
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * Reads a whole gallery file: {@code open} is given its header and answers where its changes go
   * (its saved settings first, then each identity's templates), which this returns.
   *
   * @param source names the file in error messages
   * @param cipher opens sealed records, or null for a plain file
   * @throws GalleryFormatException on any damage, an unsupported version, a wrong key, or a key
   *     given for a plain file or missing for an encrypted one
   */
  public static <T extends Consumer<Change>> T read(
      InputStream in, String source, RecordCipher cipher, Function<Header, T> open)
      throws IOException {
    DataInputStream data = new DataInputStream(in);
    FileFormat.readHeader(data, SNAPSHOT, source);
    checkFlags(readFlags(data, "gallery file", source), cipher, source);
    long offset = FileFormat.HEADER_BYTES + 2;
    int dimension = -1;
    long records = 0;
    long templates = 0;
    T sink = null;
    while (true) {
      byte[] framed = nextRecord(data, source, offset);
      if (framed == null) {
        throw new GalleryFormatException(
            "gallery file ends without its end record (truncated "
                + "after "
                + offset
                + " bytes): "
                + source);
      }
      byte[] payload =
          cipher == null
              ? framed
              : cipher.open(framed, RecordCipher.associatedData('S', 0, records), source, offset);
      records++;
      DataInputStream body = new DataInputStream(new ByteArrayInputStream(payload));
      int type = body.readUnsignedByte();
      try {
        if (records == 1 && type != HEADER) {
          throw corrupt(source, offset, "the first record is not a header");
        }
        switch (type) {
          case HEADER -> {
            if (records != 1) {
              throw corrupt(source, offset, "a second header");
            }
            String embedder = body.readUTF();
            dimension = body.readInt();
            float threshold = body.readFloat();
            double targetFpir = body.readDouble();
            if (dimension < 1
                || dimension > MAX_DIMENSION
                || !(threshold >= -1 && threshold <= 1)
                || !(Double.isNaN(targetFpir) || (targetFpir > 0 && targetFpir < 1))) {
              throw corrupt(
                  source,
                  offset,
                  "impossible header values (dimension "
                      + dimension
                      + ", threshold "
                      + threshold
                      + ", target FPIR "
                      + targetFpir
                      + ")");
            }
            sink = open.apply(new Header(embedder, dimension));
            sink.accept(new Change.Settings(threshold, targetFpir));
          }
          case ENROLL -> {
            String identity = body.readUTF();
            float[][] vectors = readTemplates(body, dimension, identity, source, offset);
            sink.accept(new Change.Enroll(identity, List.of(vectors)));
            templates += vectors.length;
          }
          case REMOVE -> sink.accept(new Change.Remove(body.readUTF()));
          case END -> {
            long declaredRecords = body.readLong();
            long declaredTemplates = body.readLong();
            if (declaredRecords != records || declaredTemplates != templates) {
              throw corrupt(
                  source,
                  offset,
                  "end record counts "
                      + declaredRecords
                      + " records and "
                      + declaredTemplates
                      + " templates, the file has "
                      + records
                      + " and "
                      + templates);
            }
            if (data.read() != -1) {
              throw corrupt(source, offset, "bytes after the end record");
            }
            return sink;
          }
          default -> throw corrupt(source, offset, "unknown record type " + type);
        }
        checkConsumed(type, body, source, offset);
      } catch (EOFException | UTFDataFormatException | IllegalArgumentException e) {
        throw badFields(e, source, offset);
      }
      offset += 8 + framed.length;
    }
  }

  private static int readFlags(DataInputStream data, String what, String source)
      throws IOException {
    byte[] flags = data.readNBytes(2);
    if (flags.length < 2) {
      throw new GalleryFormatException(what + " is truncated inside its header: " + source);
    }
    return ByteBuffer.wrap(flags).getShort() & 0xFFFF;
  }

  private static void checkFlags(int flags, RecordCipher cipher, String source) {
    if ((flags & ~ENCRYPTED) != 0) {
      throw new GalleryFormatException(
          "gallery file uses unsupported feature flags 0x"
              + Integer.toHexString(flags)
              + "; upgrade Semblance: "
              + source);
    }
    boolean encrypted = (flags & ENCRYPTED) != 0;
    if (encrypted && cipher == null) {
      throw new GalleryFormatException("gallery " + source + " is encrypted; open it with its key");
    }
    if (!encrypted && cipher != null) {
      throw new GalleryFormatException(
          "gallery " + source + " is not encrypted, but a key was given");
    }
  }

  private static float[][] readTemplates(
      DataInputStream body, int dimension, String identity, String source, long offset)
      throws IOException {
    int count = body.readInt();
    if (count < 1 || (long) count * dimension * Float.BYTES != body.available()) {
      throw corrupt(
          source,
          offset,
          "enrolment of '"
              + identity
              + "' has "
              + body.available()
              + " bytes of vectors for "
              + count
              + " templates of dimension "
              + dimension);
    }
    float[][] vectors = new float[count][dimension];
    for (float[] v : vectors) {
      for (int i = 0; i < dimension; i++) {
        v[i] = body.readFloat();
      }
      checkUnit(v, source, offset, identity);
    }
    return vectors;
  }

  /**
   * Reads a log of {@code size} bytes: its header into {@code header}, which checks it, and every
   * change into {@code sink}. A crash can tear only the last record: a record cut short by the end
   * of the file, or whose checksum fails and which ends exactly at the end of the file, or a
   * zero-filled tail, is left out and its offset returned so that the caller can truncate there.
   * Damage anywhere else is an exception.
   *
   * @param generation the generation the log's file name gives; sealed records are bound to it
   * @param cipher opens sealed records, or null for a plain log
   * @return the end of the valid records: {@code size}, or the offset where a torn last record
   *     starts
   * @throws GalleryFormatException for a bad magic number or version, a missing header, a header of
   *     another generation, or a damaged record that is not the last
   */
  public static LogEnd readLog(
      InputStream in,
      long size,
      String source,
      long generation,
      RecordCipher cipher,
      Consumer<Header> header,
      Consumer<Change> sink)
      throws IOException {
    DataInputStream data = new DataInputStream(in);
    FileFormat.readHeader(data, LOG, source);
    checkFlags(readFlags(data, "gallery log", source), cipher, source);
    long offset = FileFormat.HEADER_BYTES + 2;
    long index = 0;
    int dimension = -1;
    while (offset < size) {
      long remaining = size - offset;
      if (remaining < 12) {
        return torn(offset, index, dimension, source);
      }
      byte[] frame = data.readNBytes(12);
      int length = ByteBuffer.wrap(frame).getInt(0);
      if (isZeroRun(frame) && zerosToEnd(data)) {
        return torn(offset, index, dimension, source); // space allocated but never filled
      }
      if (ByteBuffer.wrap(frame).getInt(4) != lengthCrc(length)
          || length < 1
          || length > MAX_RECORD) {
        throw corrupt(source, offset, "damaged record length");
      }
      if (12L + length > remaining) {
        return torn(offset, index, dimension, source);
      }
      byte[] framed = data.readNBytes(length);
      if (crc(framed) != ByteBuffer.wrap(frame).getInt(8)) {
        if (offset + 12 + length == size) {
          return torn(offset, index, dimension, source);
        }
        throw corrupt(source, offset, "checksum mismatch in a record that is not the last");
      }
      // A record that passed its checksum but not its tag was altered, or the key is wrong.
      byte[] payload =
          cipher == null
              ? framed
              : cipher.open(
                  framed, RecordCipher.associatedData('L', generation, index), source, offset);
      index++;
      DataInputStream body = new DataInputStream(new ByteArrayInputStream(payload));
      try {
        int type = body.readUnsignedByte();
        if ((dimension < 0) != (type == LOG_HEADER)) {
          throw corrupt(
              source,
              offset,
              dimension < 0 ? "the first record is not a log header" : "a second log header");
        }
        switch (type) {
          case LOG_HEADER -> {
            String embedder = body.readUTF();
            dimension = body.readInt();
            long declared = body.readLong();
            if (dimension < 1 || dimension > MAX_DIMENSION || declared < 0) {
              throw corrupt(
                  source,
                  offset,
                  "impossible log header (dimension "
                      + dimension
                      + ", generation "
                      + declared
                      + ")");
            }
            if (declared != generation) {
              throw new GalleryFormatException(
                  source
                      + " says it follows snapshot generation "
                      + declared
                      + ", not "
                      + generation
                      + ": snapshot and log do not belong together");
            }
            header.accept(new Header(embedder, dimension));
          }
          case ENROLL -> {
            String identity = body.readUTF();
            float[][] vectors = readTemplates(body, dimension, identity, source, offset);
            sink.accept(new Change.Enroll(identity, List.of(vectors)));
          }
          case REMOVE -> sink.accept(new Change.Remove(body.readUTF()));
          case RENAME -> sink.accept(new Change.Rename(body.readUTF(), body.readUTF()));
          case REMOVE_TEMPLATE -> {
            String identity = body.readUTF();
            float[][] one = readTemplates(body, dimension, identity, source, offset);
            if (one.length != 1) {
              throw corrupt(source, offset, one.length + " templates in a template removal");
            }
            sink.accept(new Change.RemoveTemplate(identity, one[0]));
          }
          case SETTINGS -> {
            float threshold = body.readFloat();
            double targetFpir = body.readDouble();
            if (!(threshold >= -1 && threshold <= 1)
                || !(Double.isNaN(targetFpir) || (targetFpir > 0 && targetFpir < 1))) {
              throw corrupt(
                  source,
                  offset,
                  "impossible settings (threshold "
                      + threshold
                      + ", target FPIR "
                      + targetFpir
                      + ")");
            }
            sink.accept(new Change.Settings(threshold, targetFpir));
          }
          default -> throw corrupt(source, offset, "unknown log record type " + type);
        }
        checkConsumed(type, body, source, offset);
      } catch (EOFException | UTFDataFormatException | IllegalArgumentException e) {
        throw badFields(e, source, offset);
      }
      offset += 12 + length;
    }
    if (dimension < 0) {
      throw new GalleryFormatException("gallery log has no header record: " + source);
    }
    return new LogEnd(offset, index);
  }

  private static LogEnd torn(long offset, long records, int dimension, String source) {
    if (dimension < 0) {
      throw new GalleryFormatException("gallery log has no complete header record: " + source);
    }
    return new LogEnd(offset, records);
  }

  private static boolean isZeroRun(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean zerosToEnd(DataInputStream data) throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = data.read(buffer)) > 0; ) {
      if (!isZeroRun(Arrays.copyOf(buffer, n))) {
        return false;
      }
    }
    return true;
  }

  private static byte[] nextRecord(DataInputStream data, String source, long offset)
      throws IOException {
    byte[] frame = new byte[8];
    int got = data.readNBytes(frame, 0, 8);
    if (got == 0) {
      return null;
    }
    if (got < 8) {
      throw corrupt(source, offset, "truncated record header");
    }
    ByteBuffer f = ByteBuffer.wrap(frame);
    int length = f.getInt();
    int expectedCrc = f.getInt();
    if (length < 1 || length > MAX_RECORD) {
      throw corrupt(source, offset, "impossible record length " + length);
    }
    byte[] payload = data.readNBytes(length);
    if (payload.length < length) {
      throw corrupt(
          source, offset, "record truncated: " + payload.length + " of " + length + " bytes");
    }
    if (crc(payload) != expectedCrc) {
      throw corrupt(source, offset, "checksum mismatch");
    }
    return payload;
  }

  private static void checkUnit(float[] v, String source, long offset, String identity) {
    double sum = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw corrupt(source, offset, "template of '" + identity + "' holds a non-finite value");
      }
      sum += (double) x * x;
    }
    if (Math.abs(sum - 1) > 1e-3) {
      throw corrupt(source, offset, "template of '" + identity + "' is not unit length");
    }
  }

  private static void checkConsumed(int type, DataInputStream body, String source, long offset)
      throws IOException {
    if (type != ENROLL && body.available() != 0) {
      throw corrupt(
          source, offset, "record has " + body.available() + " unexpected trailing bytes");
    }
  }

  /** A record whose checksum passed but whose fields cannot be read. */
  private static GalleryFormatException badFields(Exception e, String source, long offset) {
    if (e instanceof EOFException) {
      return corrupt(source, offset, "record body is shorter than its fields");
    }
    if (e instanceof UTFDataFormatException) {
      return corrupt(source, offset, "malformed UTF-8 text"); // found by GalleryReaderFuzzTest
    }
    return corrupt(source, offset, e.getMessage());
  }

  private static GalleryFormatException corrupt(String source, long offset, String what) {
    return new GalleryFormatException(
        "corrupt gallery file " + source + " at byte " + offset + ": " + what);
  }
}
