// Over 400 lines: the row store and the scans that depend on its chunk layout (single,
// batched, quantised with bounded re-rank, device shortlist) stay together; top-k, bounds and
// threads are in TopK, BoundedCollector and Parallel.
package dev.semblance.internal.gallery;

import dev.semblance.TemplateStorage;
import dev.semblance.internal.vector.Half;
import dev.semblance.internal.vector.Kernels;
import dev.semblance.internal.vector.VectorKernels;
import dev.semblance.spi.AcceleratedIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unit-length templates laid out for scanning, each row tagged with its identity's slot. Rows live
 * in chunks of a power-of-two number of rows (at most 256 KiB of floats each), so a gallery of
 * millions never needs one huge array, appends never copy old rows, and a removal moves the last
 * rows into the holes. The chunks stay below G1's smallest humongous-object size: larger ones would
 * each be given whole heap regions, up to doubling the memory a gallery takes. With quantised
 * {@link TemplateStorage} a second, smaller copy of every row is what the scan reads; the float32
 * rows are kept to re-rank the survivors exactly. An attached {@link AcceleratedIndex} mirrors
 * every change and shortlists candidates for large searches.
 *
 * <p>Not thread-safe: the gallery serialises writes and lets searches run concurrently.
 */
public final class TemplateMatrix {
  private static final Logger log = LoggerFactory.getLogger(TemplateMatrix.class);

  /** Smaller scans are cheaper on the CPU than a round trip to a device. */
  static final int ACCELERATOR_MIN_ROWS = 4096;

  /** Below this many multiply-adds a search runs on the calling thread alone. */
  private static final long PARALLEL_WORK = 1L << 18;

  /** Queries scored together against each tile of rows. */
  private static final int QUERY_BLOCK = 64;

  private final int dimension;
  private final TemplateStorage storage;
  private final VectorKernels kernels;
  private final int chunkShift;
  private final int chunkMask;

  /** The error a scan's own float rounding may add to a score, on top of quantisation. */
  private final float roundingSlack;

  private final List<float[]> exact = new ArrayList<>();
  private final List<short[]> halves = new ArrayList<>();
  private final List<byte[]> bytes = new ArrayList<>();

  /** Per row: the int8 scale (INT8 only). */
  private final List<float[]> scales = new ArrayList<>();

  /** Per row: a bound on |p·x − p·x̂| over unit probes p, rounding included (quantised only). */
  private final List<float[]> errors = new ArrayList<>();

  private final List<int[]> owners = new ArrayList<>();

  /** For each slot, the rows it owns (null for a free slot). */
  private final List<int[]> rowsOfSlot = new ArrayList<>();

  private int count;

  /** The device copy, or null; detached (and closed) on its first failure. */
  private volatile AcceleratedIndex accelerator;

  /** Accelerated searches whose shortlist could not be confirmed, so the CPU searched again. */
  final AtomicLong unconfirmed = new AtomicLong();

  public TemplateMatrix(int dimension, TemplateStorage storage) {
    this(dimension, storage, Kernels.get());
  }

  TemplateMatrix(int dimension, TemplateStorage storage, VectorKernels kernels) {
    this.dimension = dimension;
    this.storage = storage;
    this.kernels = kernels;
    int rowsPerChunk = Integer.highestOneBit(Math.max(1, (1 << 16) / dimension));
    this.chunkShift = Integer.numberOfTrailingZeros(rowsPerChunk);
    this.chunkMask = rowsPerChunk - 1;
    this.roundingSlack = dimension * 0x1p-22f + 0x1p-22f;
  }

  public int dimension() {
    return dimension;
  }

  public TemplateStorage storage() {
    return storage;
  }

  public int rowCount() {
    return count;
  }

  public void append(int slot, float[] unitVector) {
    if ((count >>> chunkShift) == exact.size()) {
      addChunk();
    }
    int row = count++;
    int chunk = row >>> chunkShift, at = row & chunkMask;
    System.arraycopy(unitVector, 0, exact.get(chunk), at * dimension, dimension);
    mirror(a -> a.append(unitVector));
    owners.get(chunk)[at] = slot;
    quantise(chunk, at);
    while (rowsOfSlot.size() <= slot) {
      rowsOfSlot.add(null);
    }
    int[] rows = rowsOfSlot.get(slot);
    rows = rows == null ? new int[1] : Arrays.copyOf(rows, rows.length + 1);
    rows[rows.length - 1] = row;
    rowsOfSlot.set(slot, rows);
  }

  private void addChunk() {
    int rows = chunkMask + 1;
    exact.add(new float[rows * dimension]);
    owners.add(new int[rows]);
    switch (storage) {
      case FLOAT16 -> {
        halves.add(new short[rows * dimension]);
        errors.add(new float[rows]);
      }
      case INT8 -> {
        bytes.add(new byte[rows * dimension]);
        scales.add(new float[rows]);
        errors.add(new float[rows]);
      }
      case FLOAT32 -> {}
    }
  }

  /** Fills the quantised copy of a row and its error bound, ‖x − x̂‖ by Cauchy–Schwarz. */
  private void quantise(int chunk, int at) {
    float[] x = exact.get(chunk);
    int offset = at * dimension;
    double squaredError = 0;
    switch (storage) {
      case FLOAT32 -> {
        return;
      }
      case FLOAT16 -> {
        short[] h = halves.get(chunk);
        for (int i = 0; i < dimension; i++) {
          h[offset + i] = Half.fromFloat(x[offset + i]);
          double e = x[offset + i] - (double) Half.toFloat(h[offset + i]);
          squaredError += e * e;
        }
      }
      case INT8 -> {
        float max = 0;
        for (int i = 0; i < dimension; i++) {
          max = Math.max(max, Math.abs(x[offset + i]));
        }
        float scale = max / 127f;
        byte[] b = bytes.get(chunk);
        for (int i = 0; i < dimension; i++) {
          int q = scale == 0 ? 0 : Math.round(x[offset + i] / scale);
          b[offset + i] = (byte) Math.max(-127, Math.min(127, q));
          double e = x[offset + i] - (double) b[offset + i] * scale;
          squaredError += e * e;
        }
        scales.get(chunk)[at] = scale;
      }
    }
    errors.get(chunk)[at] = (float) Math.sqrt(squaredError) * 1.0001f + roundingSlack;
  }

  /** Removes every row of {@code slot}; the last rows move into the holes, which are then wiped. */
  public void removeSlot(int slot) {
    if (slot >= rowsOfSlot.size() || rowsOfSlot.get(slot) == null) {
      return;
    }
    int[] rows = rowsOfSlot.get(slot).clone();
    rowsOfSlot.set(slot, null);
    Arrays.sort(rows);
    // Highest first: the last row is then never one still waiting to be removed.
    for (int i = rows.length - 1; i >= 0; i--) {
      int hole = rows[i], last = count - 1;
      if (hole != last) {
        moveRow(last, hole);
      }
      wipe(last);
      count--;
    }
    mirror(a -> a.truncate(count));
  }

  private void moveRow(int from, int to) {
    int fc = from >>> chunkShift,
        fa = from & chunkMask,
        tc = to >>> chunkShift,
        ta = to & chunkMask;
    System.arraycopy(exact.get(fc), fa * dimension, exact.get(tc), ta * dimension, dimension);
    switch (storage) {
      case FLOAT16 ->
          System.arraycopy(
              halves.get(fc), fa * dimension, halves.get(tc), ta * dimension, dimension);
      case INT8 -> {
        System.arraycopy(bytes.get(fc), fa * dimension, bytes.get(tc), ta * dimension, dimension);
        scales.get(tc)[ta] = scales.get(fc)[fa];
      }
      case FLOAT32 -> {}
    }
    if (storage != TemplateStorage.FLOAT32) {
      errors.get(tc)[ta] = errors.get(fc)[fa];
    }
    int slot = owners.get(fc)[fa];
    owners.get(tc)[ta] = slot;
    mirror(a -> a.move(from, to));
    int[] rows = rowsOfSlot.get(slot);
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == from) {
        rows[i] = to;
      }
    }
  }

  /** Zeroes a freed row so that no template of a removed person lingers in memory. */
  private void wipe(int row) {
    int c = row >>> chunkShift, a = row & chunkMask;
    Arrays.fill(exact.get(c), a * dimension, (a + 1) * dimension, 0f);
    switch (storage) {
      case FLOAT16 -> Arrays.fill(halves.get(c), a * dimension, (a + 1) * dimension, (short) 0);
      case INT8 -> {
        Arrays.fill(bytes.get(c), a * dimension, (a + 1) * dimension, (byte) 0);
        scales.get(c)[a] = 0;
      }
      case FLOAT32 -> {}
    }
    owners.get(c)[a] = 0;
  }

  /** The rows of {@code slot}, copied. */
  public List<float[]> rowsOf(int slot) {
    List<float[]> result = new ArrayList<>();
    if (slot < rowsOfSlot.size() && rowsOfSlot.get(slot) != null) {
      for (int row : rowsOfSlot.get(slot)) {
        int at = (row & chunkMask) * dimension;
        result.add(Arrays.copyOfRange(exact.get(row >>> chunkShift), at, at + dimension));
      }
    }
    return result;
  }

  /** Row {@code row}, copied. */
  float[] copyOfRow(int row) {
    int at = (row & chunkMask) * dimension;
    return Arrays.copyOfRange(exact.get(row >>> chunkShift), at, at + dimension);
  }

  /** The highest dot product between {@code probe} and a row of {@code slot}. */
  public float bestOfSlot(float[] probe, int slot) {
    float best = Float.NEGATIVE_INFINITY;
    if (slot < rowsOfSlot.size() && rowsOfSlot.get(slot) != null) {
      for (int row : rowsOfSlot.get(slot)) {
        best = Math.max(best, exactScore(probe, row));
      }
    }
    return best;
  }

  private float exactScore(float[] probe, int row) {
    return kernels.dot(
        probe, 0, exact.get(row >>> chunkShift), (row & chunkMask) * dimension, dimension);
  }

  /**
   * Copies every row to {@code index}, which then mirrors each change and serves large searches.
   */
  public void attach(AcceleratedIndex index) {
    detach();
    try {
      for (int row = 0; row < count; row++) {
        int at = (row & chunkMask) * dimension;
        index.append(Arrays.copyOfRange(exact.get(row >>> chunkShift), at, at + dimension));
      }
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
    accelerator = index;
  }

  /** Stops using the attached index, if any, and closes it. */
  public void detach() {
    AcceleratedIndex index = accelerator;
    accelerator = null;
    if (index != null) {
      index.close();
    }
  }

  public boolean isAccelerated() {
    return accelerator != null;
  }

  private void mirror(Consumer<AcceleratedIndex> change) {
    AcceleratedIndex index = accelerator;
    if (index != null) {
      try {
        change.accept(index);
      } catch (RuntimeException e) {
        log.warn(
            "the search accelerator failed ({}); searching on the CPU from now on", e.toString());
        detach();
      }
    }
  }

  /**
   * The {@code k} best slots for each probe with their exact float32 scores; the same answer
   * whatever the storage, the parallelism, the number of probes or an attached accelerator.
   *
   * @param helpers how many executor threads may help the calling one
   */
  public Result[] search(float[][] probes, int k, Executor executor, int helpers) {
    AcceleratedIndex index = accelerator;
    if (index != null && count >= ACCELERATOR_MIN_ROWS) {
      AcceleratedIndex.Candidates[] shortlists = null;
      try {
        shortlists = index.search(probes, Math.min(count, Math.max(2 * k, k + 16)));
      } catch (RuntimeException e) {
        log.warn(
            "the search accelerator failed ({}); searching on the CPU from now on", e.toString());
        detach();
      }
      if (shortlists != null) {
        return confirm(probes, k, shortlists, index.errorBound(), executor, helpers);
      }
    }
    return searchOnCpu(probes, k, executor, helpers);
  }

  /**
   * Re-scores each shortlist exactly. The answer stands when its k-th identity scores at least what
   * any row left out could (the shortlist's bound plus both sides' rounding); otherwise, as when
   * many templates of few identities fill the shortlist, that probe is searched here.
   */
  private Result[] confirm(
      float[][] probes,
      int k,
      AcceleratedIndex.Candidates[] shortlists,
      float deviceError,
      Executor executor,
      int helpers) {
    Result[] results = new Result[probes.length];
    List<Integer> unconfirmed = new ArrayList<>();
    for (int q = 0; q < probes.length; q++) {
      AcceleratedIndex.Candidates shortlist = shortlists[q];
      TopK top = new TopK(k);
      for (int row : shortlist.rows()) {
        top.offer(owners.get(row >>> chunkShift)[row & chunkMask], exactScore(probes[q], row));
      }
      boolean everyRow = shortlist.rows().length == count;
      if (everyRow || top.threshold() >= shortlist.excludedBound() + deviceError + roundingSlack) {
        results[q] = result(top);
      } else {
        unconfirmed.add(q);
      }
    }
    if (!unconfirmed.isEmpty()) {
      this.unconfirmed.addAndGet(unconfirmed.size());
      log.debug(
          "{} of {} accelerated searches not confirmed by their bound; searched on the CPU",
          unconfirmed.size(),
          probes.length);
      float[][] again = new float[unconfirmed.size()][];
      for (int i = 0; i < again.length; i++) {
        again[i] = probes[unconfirmed.get(i)];
      }
      Result[] cpu = searchOnCpu(again, k, executor, helpers);
      for (int i = 0; i < again.length; i++) {
        results[unconfirmed.get(i)] = cpu[i];
      }
    }
    return results;
  }

  private static Result result(TopK top) {
    int[] slots = top.keysBestFirst();
    float[] scores = new float[slots.length];
    for (int i = 0; i < slots.length; i++) {
      scores[i] = top.scoreOf(slots[i]);
    }
    return new Result(slots, scores);
  }

  private Result[] searchOnCpu(float[][] probes, int k, Executor executor, int helpers) {
    long work = (long) count * dimension * probes.length;
    int slices =
        (int)
            Math.max(
                1,
                Math.min(
                    Math.max(1, count / 64),
                    Math.min((long) (helpers + 1) * 4, work / PARALLEL_WORK)));
    int perSlice = (count + slices - 1) / Math.max(1, slices);
    TopK[][] partial = new TopK[slices][];
    Parallel.run(
        slices,
        executor,
        slices == 1 ? 0 : helpers,
        s -> {
          int from = s * perSlice, to = Math.min(count, from + perSlice);
          partial[s] =
              probes.length == 1 && storage == TemplateStorage.FLOAT32
                  ? new TopK[] {scanExact(probes[0], k, from, to)}
                  : scanBounded(probes, k, from, to);
        });
    Result[] results = new Result[probes.length];
    for (int q = 0; q < probes.length; q++) {
      TopK merged = partial[0][q];
      for (int s = 1; s < slices; s++) {
        merged.addAll(partial[s][q]);
      }
      results[q] = result(merged);
    }
    return results;
  }

  /** The best slots of one probe, best first, and their scores. */
  public record Result(int[] slots, float[] scores) {}

  private TopK scanExact(float[] probe, int k, int from, int to) {
    TopK top = new TopK(k);
    for (int row = from; row < to; ) {
      int chunk = row >>> chunkShift, end = Math.min(to, (chunk + 1) << chunkShift);
      float[] rows = exact.get(chunk);
      int[] owner = owners.get(chunk);
      for (; row < end; row++) {
        int at = row & chunkMask;
        float s = kernels.dot(probe, 0, rows, at * dimension, dimension);
        if (s > top.threshold()) {
          top.offer(owner[at], s);
        }
      }
    }
    return top;
  }

  /**
   * Scores rows approximately (quantised copy, or several probes per row in blocks whose rounding
   * differs from a single dot product), keeps what the error bounds cannot rule out, and re-ranks
   * that exactly.
   */
  private TopK[] scanBounded(float[][] probes, int k, int from, int to) {
    BoundedCollector[] collectors = new BoundedCollector[probes.length];
    for (int q = 0; q < probes.length; q++) {
      collectors[q] = new BoundedCollector(k);
    }
    if (probes.length == 1) {
      scanOneQuantised(probes[0], collectors[0], from, to);
    } else {
      scanBlocks(probes, collectors, from, to);
    }
    TopK[] result = new TopK[probes.length];
    for (int q = 0; q < probes.length; q++) {
      result[q] = new TopK(k);
      for (int row : collectors[q].candidates()) {
        result[q].offer(
            owners.get(row >>> chunkShift)[row & chunkMask], exactScore(probes[q], row));
      }
    }
    return result;
  }

  private void scanOneQuantised(float[] probe, BoundedCollector collector, int from, int to) {
    for (int row = from; row < to; ) {
      int chunk = row >>> chunkShift, end = Math.min(to, (chunk + 1) << chunkShift);
      int[] owner = owners.get(chunk);
      float[] error = errors.get(chunk);
      if (storage == TemplateStorage.INT8) {
        byte[] rows = bytes.get(chunk);
        float[] scale = scales.get(chunk);
        for (; row < end; row++) {
          int at = row & chunkMask;
          float s = scale[at] * kernels.dotBytes(probe, rows, at * dimension, dimension);
          collector.offer(row, owner[at], s, error[at]);
        }
      } else {
        short[] rows = halves.get(chunk);
        for (; row < end; row++) {
          int at = row & chunkMask;
          collector.offer(
              row, owner[at], kernels.dotHalf(probe, rows, at * dimension, dimension), error[at]);
        }
      }
    }
  }

  /**
   * Many probes: a tile of rows (dequantised once if stored quantised) is scored against blocks of
   * probes while it sits in cache, so each row is read from memory once per block, not per probe.
   */
  private void scanBlocks(float[][] probes, BoundedCollector[] collectors, int from, int to) {
    int tileRows = Math.max(2, (1 << 14) / dimension) & ~1;
    int blocks = (probes.length + QUERY_BLOCK - 1) / QUERY_BLOCK;
    float[][] blockQueries = new float[blocks][];
    for (int b = 0; b < blocks; b++) {
      int n = Math.min(QUERY_BLOCK, probes.length - b * QUERY_BLOCK);
      blockQueries[b] = new float[n * dimension];
      for (int j = 0; j < n; j++) {
        System.arraycopy(probes[b * QUERY_BLOCK + j], 0, blockQueries[b], j * dimension, dimension);
      }
    }
    float[] scores = new float[QUERY_BLOCK * tileRows];
    float[] tile = storage == TemplateStorage.FLOAT32 ? null : new float[tileRows * dimension];
    for (int row = from; row < to; ) {
      int chunk = row >>> chunkShift;
      int n = Math.min(tileRows, Math.min(to, (chunk + 1) << chunkShift) - row);
      int at = row & chunkMask;
      float[] rows;
      int offset;
      if (tile == null) {
        rows = exact.get(chunk);
        offset = at * dimension;
      } else {
        dequantise(chunk, at, n, tile);
        rows = tile;
        offset = 0;
      }
      int[] owner = owners.get(chunk);
      float[] error = storage == TemplateStorage.FLOAT32 ? null : errors.get(chunk);
      for (int b = 0; b < blocks; b++) {
        int queries = blockQueries[b].length / dimension;
        kernels.dotBlock(blockQueries[b], queries, rows, offset, n, dimension, scores);
        for (int j = 0; j < queries; j++) {
          BoundedCollector c = collectors[b * QUERY_BLOCK + j];
          for (int r = 0; r < n; r++) {
            c.offer(
                row + r,
                owner[at + r],
                scores[j * n + r],
                error == null ? roundingSlack : error[at + r]);
          }
        }
      }
      row += n;
    }
  }

  private void dequantise(int chunk, int at, int n, float[] tile) {
    int offset = at * dimension;
    if (storage == TemplateStorage.INT8) {
      byte[] b = bytes.get(chunk);
      float[] scale = scales.get(chunk);
      for (int r = 0; r < n; r++) {
        float s = scale[at + r];
        for (int i = 0; i < dimension; i++) {
          tile[r * dimension + i] = b[offset + r * dimension + i] * s;
        }
      }
    } else {
      short[] h = halves.get(chunk);
      for (int i = 0; i < n * dimension; i++) {
        tile[i] = Half.toFloat(h[offset + i]);
      }
    }
  }
}
