package dev.semblance.server;

import dev.semblance.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/** Images the server tests send: the tv-characters set and hand-made bad files. */
final class Fixtures {
  static final List<String> CAST =
      List.of("amy", "bernadette", "howard", "leonard", "penny", "raj", "sheldon", "stuart");

  private Fixtures() {}

  static Path portrait(String person, int n) {
    return TestData.dir("tv-characters").resolve(person).resolve(person + n + ".png");
  }

  static Path group(String name) {
    return TestData.dir("tv-characters/group-photos").resolve(name);
  }

  static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PNG whose header claims {@code width × height} pixels, and nothing after it. */
  static byte[] pngHeader(int width, int height) {
    ByteBuffer chunk = ByteBuffer.allocate(17);
    chunk.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height);
    chunk.put(new byte[] {8, 2, 0, 0, 0});
    CRC32 crc = new CRC32();
    crc.update(chunk.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 25);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    png.putInt(13).put(chunk.array()).putInt((int) crc.getValue());
    return png.array();
  }

  /** A real JPEG whose start-of-frame header is changed to claim 65535 × 65535 pixels. */
  static byte[] hugeJpegHeader(byte[] jpeg) {
    byte[] copy = jpeg.clone();
    for (int i = 2; i + 9 < copy.length; i++) {
      if ((copy[i] & 0xFF) == 0xFF
          && ((copy[i + 1] & 0xFF) == 0xC0 || (copy[i + 1] & 0xFF) == 0xC2)) {
        for (int j = i + 5; j < i + 9; j++) {
          copy[j] = (byte) 0xFF;
        }
        return copy;
      }
    }
    throw new AssertionError("no start-of-frame marker");
  }
}
