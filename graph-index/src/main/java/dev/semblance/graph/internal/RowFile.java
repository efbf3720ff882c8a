package dev.semblance.graph.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The float32 templates of a graph gallery, one row after another in a file that is only ever
 * appended to (or truncated back to its last logged row after a crash), read with positional reads:
 * the operating system's page cache, not the heap, holds them, so a gallery may be larger than the
 * heap and searches read only the rows they re-score. Not through a memory map: a fault there reads
 * ahead by the disk's read-ahead window (8 MiB on this project's VM), so a row of a file larger
 * than the cache cost 3.4-3.8 ms instead of 0.08 ms (scale.md, ten million).
 *
 * <p>Thread safety: appends and truncation must be serialised by the caller and not overlap reads;
 * reads run concurrently with each other.
 */
final class RowFile implements AutoCloseable {
  private final FileChannel channel;
  private final int dimension;
  private final int rowBytes;

  private volatile int rows;

  /**
   * Opens {@code file}, creating it, with its first {@code rows} rows kept and the rest cut off.
   */
  RowFile(Path file, int dimension, int rows) throws IOException {
    this.dimension = dimension;
    this.rowBytes = dimension * Float.BYTES;
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long logged = (long) rows * rowBytes;
    if (channel.size() < logged) {
      throw new IOException(
          file + " holds " + channel.size() / rowBytes + " rows but the log lists " + rows);
    }
    if (channel.size() > logged) {
      channel.truncate(logged); // rows written but never logged: never acknowledged
      channel.force(false);
    }
    this.rows = rows;
  }

  int rows() {
    return rows;
  }

  int dimension() {
    return dimension;
  }

  /**
   * Appends {@code vectors} as rows {@link #rows()} onwards, not yet durable; the first new row.
   */
  int append(List<float[]> vectors) throws IOException {
    int first = rows;
    ByteBuffer bytes =
        ByteBuffer.allocate(vectors.size() * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      bytes.asFloatBuffer().put(v);
      bytes.position(bytes.position() + rowBytes);
    }
    bytes.flip();
    long at = (long) first * rowBytes;
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
    rows = first + vectors.size();
    return first;
  }

  /** Makes every appended row durable. */
  void sync() throws IOException {
    channel.force(false);
  }

  float[] read(int row) {
    float[] v = new float[dimension];
    read(row, 1, v, 0);
    return v;
  }

  /**
   * Rows {@code first} to {@code first + count - 1} copied into {@code into} from {@code offset}.
   */
  void read(int first, int count, float[] into, int offset) {
    ByteBuffer bytes = ByteBuffer.allocate(count * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      long at = (long) first * rowBytes;
      while (bytes.hasRemaining()) {
        if (channel.read(bytes, at + bytes.position()) < 0) {
          throw new IOException("the row file ends before row " + (first + count));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.flip().asFloatBuffer().get(into, offset, count * dimension);
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
