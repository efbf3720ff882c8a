package dev.semblance.graph.internal;

import io.github.jbellis.jvector.disk.RandomAccessReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Reads a saved graph of any size through a buffer. jvector's {@code MappedChunkReader} maps a file
 * 2 GiB less one byte at a time and fails on a value that spans two maps; a graph of degree 32 is
 * that large at about eight million rows.
 *
 * <p>Thread safety: not thread-safe; one reader per thread. The caller closes the channel.
 */
final class GraphFileReader implements RandomAccessReader {
  private final FileChannel channel;
  private final ByteBuffer buffer; // the file's bytes from bufferStart, read up to its limit
  private long bufferStart;
  private float lastFloat;

  GraphFileReader(FileChannel channel, ByteOrder order, int bufferBytes) {
    if (bufferBytes < Long.BYTES) {
      throw new IllegalArgumentException("a buffer of " + bufferBytes + " bytes holds no long");
    }
    this.channel = channel;
    this.buffer = ByteBuffer.allocate(bufferBytes).order(order).limit(0);
  }

  @Override
  public void seek(long position) {
    long at = position - bufferStart;
    if (at >= 0 && at <= buffer.limit()) {
      buffer.position((int) at);
    } else {
      bufferStart = position;
      buffer.limit(0);
    }
  }

  @Override
  public long getPosition() {
    return bufferStart + buffer.position();
  }

  @Override
  public long length() throws IOException {
    return channel.size();
  }

  /** The buffer, with at least {@code bytes} (at most its capacity) left to read. */
  private ByteBuffer need(int bytes) throws IOException {
    if (buffer.remaining() < bytes) {
      bufferStart = getPosition();
      buffer.compact();
      while (buffer.position() < bytes) {
        if (channel.read(buffer, bufferStart + buffer.position()) < 0) {
          throw new EOFException(
              "the graph file ends at byte " + (bufferStart + buffer.position()));
        }
      }
      buffer.flip();
    }
    return buffer;
  }

  /** How many of {@code wanted} values of {@code size} bytes the next read takes. */
  private int next(int wanted, int size) throws IOException {
    int count = Math.min(wanted, buffer.capacity() / size);
    need(count * size);
    return count;
  }

  private void skip(int bytes) {
    buffer.position(buffer.position() + bytes);
  }

  @Override
  public int readInt() throws IOException {
    return need(Integer.BYTES).getInt();
  }

  @Override
  public float readFloat() throws IOException {
    lastFloat = need(Float.BYTES).getFloat();
    return lastFloat;
  }

  /** The value the last {@link #readFloat()} returned. */
  float lastFloat() {
    return lastFloat;
  }

  @Override
  public long readLong() throws IOException {
    return need(Long.BYTES).getLong();
  }

  @Override
  public void readFully(byte[] bytes) throws IOException {
    for (int done = 0; done < bytes.length; ) {
      int n = next(bytes.length - done, 1);
      buffer.get(bytes, done, n);
      done += n;
    }
  }

  @Override
  public void readFully(ByteBuffer out) throws IOException {
    while (out.hasRemaining()) {
      int n = next(out.remaining(), 1);
      out.put(buffer.slice(buffer.position(), n));
      skip(n);
    }
  }

  @Override
  public void readFully(long[] values) throws IOException {
    for (int done = 0; done < values.length; ) {
      int n = next(values.length - done, Long.BYTES);
      buffer.asLongBuffer().get(values, done, n);
      skip(n * Long.BYTES);
      done += n;
    }
  }

  @Override
  public void read(int[] values, int offset, int count) throws IOException {
    for (int done = 0; done < count; ) {
      int n = next(count - done, Integer.BYTES);
      buffer.asIntBuffer().get(values, offset + done, n);
      skip(n * Integer.BYTES);
      done += n;
    }
  }

  @Override
  public void read(float[] values, int offset, int count) throws IOException {
    for (int done = 0; done < count; ) {
      int n = next(count - done, Float.BYTES);
      buffer.asFloatBuffer().get(values, offset + done, n);
      skip(n * Float.BYTES);
      done += n;
    }
  }

  @Override
  public void close() {}
}
