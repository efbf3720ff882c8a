package dev.semblance.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link GraphFileReader} reads back of what a graph's saving writes, at any offset. */
class GraphFileReaderTest {
  @TempDir Path dir;

  /**
   * Values and arrays longer than the buffer, each starting at another place in it, read back as a
   * DataOutputStream wrote them.
   */
  @Test
  void readsBackWhatWasWrittenAcrossRefills() throws IOException {
    Random random = new Random(7);
    int[] ints = random.ints(1000).toArray();
    long[] longs = random.longs(300).toArray();
    float[] floats = new float[700];
    byte[] bytes = new byte[501];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = random.nextFloat();
    }
    random.nextBytes(bytes);
    Path file = dir.resolve("graph.bin");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeByte(1); // every value after it is off the buffer's alignment
      for (int v : ints) {
        out.writeInt(v);
      }
      for (long v : longs) {
        out.writeLong(v);
      }
      for (float v : floats) {
        out.writeFloat(v);
      }
      out.write(bytes);
      out.writeInt(42);
      out.writeFloat(0.5f);
      out.writeLong(-3);
    }

    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      GraphFileReader reader = new GraphFileReader(channel, ByteOrder.BIG_ENDIAN, 13);
      reader.seek(1);
      int[] intsRead = new int[ints.length + 2];
      reader.read(intsRead, 2, ints.length);
      long[] longsRead = new long[longs.length];
      reader.readFully(longsRead);
      float[] floatsRead = new float[floats.length];
      reader.readFully(floatsRead);
      ByteBuffer bytesRead = ByteBuffer.allocate(bytes.length);
      reader.readFully(bytesRead);

      assertThat(intsRead).endsWith(ints);
      assertThat(longsRead).containsExactly(longs);
      assertThat(floatsRead).containsExactly(floats);
      assertThat(bytesRead.array()).containsExactly(bytes);
      assertThat(reader.readInt()).isEqualTo(42);
      assertThat(reader.readFloat()).isEqualTo(0.5f);
      assertThat(reader.readLong()).isEqualTo(-3);
      assertThat(reader.getPosition()).isEqualTo(reader.length());

      reader.seek(1 + 4 * 999); // back, before what the buffer holds
      assertThat(reader.readInt()).isEqualTo(ints[999]);
      byte[] tail = new byte[bytes.length];
      reader.seek(1 + 4L * ints.length + 8L * longs.length + 4L * floats.length);
      reader.readFully(tail);
      assertThat(tail).containsExactly(bytes);
      assertThatThrownBy(() -> reader.readFully(new long[3]))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("ends at byte");
    }
  }

  /**
   * jvector's mapped reader fails on a value that spans its 2 GiB maps; a saved graph of ten
   * million templates has them. The file is sparse: only its last bytes are written.
   */
  @Test
  void readsValuesPastAndAcrossTwoGibibytes() throws IOException {
    long across = Integer.MAX_VALUE - 1; // an int here spans jvector's first and second maps
    Path file = dir.resolve("large.bin");
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer values = ByteBuffer.allocate(Integer.BYTES + Long.BYTES);
      values.putInt(123456789).putLong(Long.MIN_VALUE + 5).flip();
      channel.write(values, across);
    }

    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      GraphFileReader reader = new GraphFileReader(channel, ByteOrder.BIG_ENDIAN, 1 << 20);
      reader.seek(across);
      assertThat(reader.readInt()).isEqualTo(123456789);
      assertThat(reader.readLong()).isEqualTo(Long.MIN_VALUE + 5);
      assertThat(reader.getPosition()).isEqualTo(across + 12).isEqualTo(reader.length());
    }
  }
}
