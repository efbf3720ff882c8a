package dev.semblance.graph.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The float32 templates of a graph gallery, one row after another in a file that is only ever
 * appended to (or truncated back to its last logged row after a crash), read through memory maps:
 * the operating system's page cache, not the heap, holds them, so a gallery may be larger than the
 * heap and searches read only the rows they re-score.
 *
 * <p>Thread safety: appends and truncation must be serialised by the caller and not overlap reads;
 * reads run concurrently with each other.
 */
final class RowFile implements AutoCloseable {
  /** Rows per memory map: 2^18 rows of 512 floats are 512 MiB, under a map's 2 GiB limit. */
  private static final int MAP_SHIFT = 18;

  private final FileChannel channel;
  private final int dimension;
  private final int rowBytes;
  private final int rowsPerMap;
  private final List<FloatBuffer> maps = new ArrayList<>();

  private volatile int rows;

  /**
   * Opens {@code file}, creating it, with its first {@code rows} rows kept and the rest cut off.
   */
  RowFile(Path file, int dimension, int rows) throws IOException {
    this.dimension = dimension;
    this.rowBytes = dimension * Float.BYTES;
    this.rowsPerMap = Math.max(1, (1 << MAP_SHIFT) * 512 / Math.max(512, dimension));
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
    remap();
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
    remap();
    return first;
  }

  /** Makes every appended row durable. */
  void sync() throws IOException {
    channel.force(false);
  }

  float[] read(int row) {
    float[] v = new float[dimension];
    read(row, v, 0);
    return v;
  }

  /** Row {@code row} copied into {@code into} from offset {@code offset}. */
  void read(int row, float[] into, int offset) {
    FloatBuffer map = maps.get(row / rowsPerMap);
    map.get((row % rowsPerMap) * dimension, into, offset, dimension);
  }

  /** Maps the rows appended since the last call; the last map grows, full ones stay. */
  private void remap() throws IOException {
    int needed = (rows + rowsPerMap - 1) / rowsPerMap;
    for (int m = Math.max(0, maps.size() - 1); m < needed; m++) {
      long from = (long) m * rowsPerMap * rowBytes;
      long length = (long) Math.min(rowsPerMap, rows - m * rowsPerMap) * rowBytes;
      FloatBuffer map =
          channel
              .map(FileChannel.MapMode.READ_ONLY, from, length)
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer();
      if (m < maps.size()) {
        maps.set(m, map);
      } else {
        maps.add(map);
      }
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
