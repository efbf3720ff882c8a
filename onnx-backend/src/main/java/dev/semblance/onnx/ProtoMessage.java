package dev.semblance.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough of the protobuf wire format to edit an ONNX model: a message is a list of fields
 * whose length-delimited values can be parsed as messages in turn and written back. Field order and
 * unknown fields are preserved.
 */
final class ProtoMessage {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int BYTES = 2;
  static final int FIXED32 = 5;

  /** One field: its number, wire type and value (a varint, or the raw bytes). */
  static final class Field {
    final int number;
    final int wireType;
    long varint;
    byte[] bytes;

    Field(int number, int wireType) {
      this.number = number;
      this.wireType = wireType;
    }

    /** The value parsed as a message; a field of another wire type is malformed input. */
    ProtoMessage message() {
      return ProtoMessage.parse(bytes());
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** The length-delimited value. */
    byte[] bytes() {
      if (wireType != BYTES) {
        throw new IllegalArgumentException(
            "field " + number + " has wire type " + wireType + ", not length-delimited");
      }
      return bytes;
    }

    /** The varint value. */
    long varint() {
      if (wireType != VARINT) {
        throw new IllegalArgumentException(
            "field " + number + " has wire type " + wireType + ", not varint");
      }
      return varint;
    }
  }

  final List<Field> fields = new ArrayList<>();

  static ProtoMessage parse(byte[] data) {
    ProtoMessage m = new ProtoMessage();
    int[] pos = {0};
    while (pos[0] < data.length) {
      long key = readVarint(data, pos);
      Field f = new Field((int) (key >>> 3), (int) (key & 7));
      switch (f.wireType) {
        case VARINT -> f.varint = readVarint(data, pos);
        case FIXED64 -> f.bytes = slice(data, pos, 8);
        case FIXED32 -> f.bytes = slice(data, pos, 4);
        case BYTES -> f.bytes = slice(data, pos, Math.toIntExact(readVarint(data, pos)));
        default -> throw new IllegalArgumentException("unsupported wire type " + f.wireType);
      }
      m.fields.add(f);
    }
    return m;
  }

  List<Field> all(int number) {
    return fields.stream().filter(f -> f.number == number).toList();
  }

  /** The first field of this number, or null. */
  Field first(int number) {
    return fields.stream().filter(f -> f.number == number).findFirst().orElse(null);
  }

  /** The first field of this number; a message without one is malformed input. */
  Field require(int number) {
    Field f = first(number);
    if (f == null) {
      throw new IllegalArgumentException("message has no field " + number);
    }
    return f;
  }

  byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Field f : fields) {
      writeVarint(out, ((long) f.number << 3) | f.wireType);
      if (f.wireType == VARINT) {
        writeVarint(out, f.varint);
      } else {
        if (f.wireType == BYTES) {
          writeVarint(out, f.bytes.length);
        }
        out.writeBytes(f.bytes);
      }
    }
    return out.toByteArray();
  }

  private static byte[] slice(byte[] data, int[] pos, int length) {
    if (length < 0 || length > data.length - pos[0]) { // not pos + length: it may overflow
      throw new IllegalArgumentException("field runs past the end of its message");
    }
    byte[] b = Arrays.copyOfRange(data, pos[0], pos[0] + length);
    pos[0] += length;
    return b;
  }

  private static long readVarint(byte[] data, int[] pos) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= data.length) {
        throw new IllegalArgumentException("varint runs past the end of its message");
      }
      byte b = data[pos[0]++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
