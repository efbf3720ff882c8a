// Over 400 lines: the device mirror of a gallery's rows (uploads, moves, truncations) and its
// searches share the same buffers and bookkeeping.
package dev.semblance.cuda;

import static dev.semblance.cuda.Driver.check;
import static org.bytedeco.cuda.global.cudart.cuEventCreate;
import static org.bytedeco.cuda.global.cudart.cuEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cuEventRecord;
import static org.bytedeco.cuda.global.cudart.cuEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cuMemcpyDtoD;
import static org.bytedeco.cuda.global.cudart.cuMemcpyDtoH;
import static org.bytedeco.cuda.global.cudart.cuMemcpyHtoD;
import static org.bytedeco.cuda.global.cudart.cuMemsetD32;
import static org.bytedeco.cuda.global.cudart.cuMemsetD8;

import dev.semblance.spi.AcceleratedIndex;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.HalfIndexer;

/**
 * A gallery's rows in GPU memory (float32 or half), with the squared norm of each row for the L2
 * metric. Appends are gathered on the host and copied in blocks; moves and truncations are
 * device-to-device copies. Searches score every row on the GPU and keep only each query's best
 * {@code candidates + 1} (the last one bounds every row left out).
 *
 * <p>Thread safety: safe for concurrent use; calls are serialised on this index. Device memory is
 * freed by {@link #close()}, or by a {@link Cleaner} if an index is dropped unclosed.
 */
public final class CudaIndex implements AcceleratedIndex {
  /** Scores of one chunk of a search: 256 MiB of floats at most. */
  private static final long SCORE_BUDGET_FLOATS = 64L << 20;

  private static final int PENDING_ROWS = 4096;
  private static final int BLOCK = 256;
  private static final int SELECT_THREADS = 256;
  private static final Cleaner CLEANER = Cleaner.create();
  private static final int NEGATIVE_INFINITY_BITS =
      Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);

  /** How scores compare rows with a query. */
  public enum Metric {
    /** q · x, for unit vectors the cosine similarity. */
    INNER_PRODUCT,
    /** −‖q − x‖², negated so that higher is closer as for the inner product. */
    NEGATIVE_SQUARED_L2
  }

  private final CudaContext cuda;
  private final int dimension;
  private final boolean half;
  private final int rowBytes;
  private final Buffers buffers;
  private final Cleaner.Cleanable cleanable;
  private final float[] pending;
  private final float[] pendingNorms;
  private int pendingCount;
  private int count;
  private float worstHalfError;
  private boolean closed;

  /** Bracket the kernels of the last search, for {@link #lastKernelMillis()}. */
  private CUevent_st kernelsStart;

  private CUevent_st kernelsEnd;

  /** Device allocations; what the cleaner frees if the index is never closed. */
  private static final class Buffers implements Runnable {
    final CudaContext cuda;
    long rows, norms, capacity;
    long scratch, scratchBytes;

    Buffers(CudaContext cuda) {
      this.cuda = cuda;
    }

    @Override
    public void run() {
      cuda.makeCurrent();
      cuda.free(rows);
      cuda.free(norms);
      cuda.free(scratch);
      rows = norms = scratch = 0;
    }
  }

  CudaIndex(CudaContext cuda, int dimension, boolean half) {
    this.cuda = cuda;
    this.dimension = dimension;
    this.half = half;
    this.rowBytes = dimension * (half ? 2 : 4);
    this.buffers = new Buffers(cuda);
    this.cleanable = CLEANER.register(this, buffers);
    this.pending = new float[PENDING_ROWS * dimension];
    this.pendingNorms = new float[PENDING_ROWS];
    cuda.makeCurrent();
    reserve(1024);
  }

  @Override
  public synchronized void append(float[] vector) {
    checkOpen();
    if (vector.length != dimension) {
      throw new IllegalArgumentException(
          "vector has " + vector.length + " dimensions, index " + dimension);
    }
    System.arraycopy(vector, 0, pending, pendingCount * dimension, dimension);
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    pendingNorms[pendingCount++] = (float) norm;
    if (pendingCount == PENDING_ROWS) {
      flush();
    }
  }

  @Override
  public synchronized void move(int from, int to) {
    checkOpen();
    flush();
    checkRow(from);
    checkRow(to);
    cuda.makeCurrent();
    check(
        cuMemcpyDtoD(
            buffers.rows + (long) to * rowBytes, buffers.rows + (long) from * rowBytes, rowBytes),
        "cuMemcpyDtoD(row)");
    check(
        cuMemcpyDtoD(buffers.norms + 4L * to, buffers.norms + 4L * from, 4), "cuMemcpyDtoD(norm)");
  }

  @Override
  public synchronized void truncate(int rowCount) {
    checkOpen();
    flush();
    if (rowCount < 0 || rowCount > count) {
      throw new IllegalArgumentException("cannot truncate " + count + " rows to " + rowCount);
    }
    if (rowCount < count) {
      cuda.makeCurrent();
      // Erase the dropped rows: a removed person's template must not stay in device memory.
      check(
          cuMemsetD8(
              buffers.rows + (long) rowCount * rowBytes,
              (byte) 0,
              (long) (count - rowCount) * rowBytes),
          "cuMemsetD8(rows)");
      count = rowCount;
    }
  }

  @Override
  public synchronized int rowCount() {
    return count + pendingCount;
  }

  @Override
  public Candidates[] search(float[][] queries, int candidates) {
    return search(queries, candidates, Metric.INNER_PRODUCT);
  }

  /** {@link #search(float[][], int)} with a choice of metric. */
  public synchronized Candidates[] search(float[][] queries, int candidates, Metric metric) {
    checkOpen();
    flush();
    if (queries.length == 0) {
      return new Candidates[0];
    }
    if (count == 0) {
      Candidates none = new Candidates(new int[0], new float[0], Float.NEGATIVE_INFINITY);
      Candidates[] result = new Candidates[queries.length];
      Arrays.fill(result, none);
      return result;
    }
    int kept = (int) Math.min(Math.min(candidates + 1L, SearchPlan.MAX_K), count);
    SearchPlan plan =
        SearchPlan.of(count, queries.length, kept, SCORE_BUDGET_FLOATS, cuda.multiprocessors());
    int q = queries.length;
    long queryBytes = 4L * q * dimension, queryNormBytes = 4L * q;
    long scoreBytes = 4L * plan.chunkRows() * q;
    long partialBytes = 4L * plan.partialsPerQuery() * q;
    long finalBytes = 4L * kept * q;
    // One scratch allocation, cut into 256-byte aligned parts in this order.
    long[] parts =
        offsets(
            queryBytes,
            queryNormBytes,
            scoreBytes,
            partialBytes,
            partialBytes,
            finalBytes,
            finalBytes);
    long queriesAt = parts[0], queryNormsAt = parts[1], scoresAt = parts[2];
    long partialScoresAt = parts[3], partialIndexAt = parts[4];
    long finalScoresAt = parts[5], finalIndexAt = parts[6], at = parts[7];
    cuda.makeCurrent();
    long scratch = scratch(at);

    float[] flat = new float[q * dimension];
    float[] queryNorms = new float[q];
    for (int i = 0; i < q; i++) {
      if (queries[i].length != dimension) {
        throw new IllegalArgumentException(
            "query has " + queries[i].length + " dimensions, index " + dimension);
      }
      System.arraycopy(queries[i], 0, flat, i * dimension, dimension);
      double norm = 0;
      for (float v : queries[i]) {
        norm += (double) v * v;
      }
      queryNorms[i] = (float) norm;
    }
    try (FloatPointer hostQueries = new FloatPointer(flat);
        FloatPointer hostNorms = new FloatPointer(queryNorms)) {
      check(cuMemcpyHtoD(scratch + queriesAt, hostQueries, queryBytes), "cuMemcpyHtoD(queries)");
      check(
          cuMemcpyHtoD(scratch + queryNormsAt, hostNorms, queryNormBytes),
          "cuMemcpyHtoD(query norms)");
    }
    check(
        cuMemsetD32(scratch + partialScoresAt, NEGATIVE_INFINITY_BITS, plan.partialsPerQuery() * q),
        "cuMemsetD32(partial scores)");
    check(
        cuMemsetD32(scratch + partialIndexAt, -1, plan.partialsPerQuery() * q),
        "cuMemsetD32(partial rows)");
    if (kernelsStart == null) {
      kernelsStart = new CUevent_st();
      kernelsEnd = new CUevent_st();
      check(cuEventCreate(kernelsStart, 0), "cuEventCreate");
      check(cuEventCreate(kernelsEnd, 0), "cuEventCreate");
    }
    check(cuEventRecord(kernelsStart, null), "cuEventRecord");
    long rowNorms = metric == Metric.NEGATIVE_SQUARED_L2 ? buffers.norms : 0L;
    long queryNormsPointer = metric == Metric.NEGATIVE_SQUARED_L2 ? scratch + queryNormsAt : 0L;
    boolean few = plan.fewQueries() && queryBytes <= 48 * 1024;
    for (int c = 0; c < plan.chunks(); c++) {
      long start = plan.chunkStart(c), length = plan.chunkLength(c);
      long rowsPointer = buffers.rows + start * rowBytes;
      if (few) {
        int grid =
            (int) Math.min((length + BLOCK / 32 - 1) / (BLOCK / 32), 16L * cuda.multiprocessors());
        cuda.launch(
            half ? cuda.scoreFewF16 : cuda.scoreFewF32,
            "score_few",
            grid,
            1,
            BLOCK,
            (int) queryBytes,
            rowsPointer,
            length,
            dimension,
            scratch + queriesAt,
            q,
            offset(rowNorms, 4 * start),
            queryNormsPointer,
            scratch + scoresAt,
            length);
      } else {
        int gridX = (int) ((length + SearchPlan.TILE - 1) / SearchPlan.TILE);
        int gridY = (q + SearchPlan.TILE - 1) / SearchPlan.TILE;
        cuda.launch(
            half ? cuda.scoreTiledF16 : cuda.scoreTiledF32,
            "score_tiled",
            gridX,
            gridY,
            256,
            0,
            rowsPointer,
            length,
            dimension,
            scratch + queriesAt,
            q,
            offset(rowNorms, 4 * start),
            queryNormsPointer,
            scratch + scoresAt,
            length);
      }
      long partialOffset = 4L * c * plan.segmentsPerChunk() * kept;
      cuda.launch(
          cuda.selectTopK,
          "select_top_k",
          plan.segmentsIn(c),
          q,
          SELECT_THREADS,
          0,
          scratch + scoresAt,
          0L,
          length,
          length,
          plan.segment(),
          kept,
          start,
          scratch + partialScoresAt + partialOffset,
          scratch + partialIndexAt + partialOffset,
          plan.partialsPerQuery());
    }
    cuda.launch(
        cuda.selectTopK,
        "select_top_k(merge)",
        1,
        q,
        SELECT_THREADS,
        0,
        scratch + partialScoresAt,
        scratch + partialIndexAt,
        plan.partialsPerQuery(),
        plan.partialsPerQuery(),
        plan.partialsPerQuery(),
        kept,
        0L,
        scratch + finalScoresAt,
        scratch + finalIndexAt,
        (long) kept);
    check(cuEventRecord(kernelsEnd, null), "cuEventRecord");
    float[] scores = new float[kept * q];
    int[] rows = new int[kept * q];
    try (FloatPointer hostScores = new FloatPointer(scores.length);
        IntPointer hostRows = new IntPointer(rows.length)) {
      check(cuMemcpyDtoH(hostScores, scratch + finalScoresAt, finalBytes), "cuMemcpyDtoH(scores)");
      check(cuMemcpyDtoH(hostRows, scratch + finalIndexAt, finalBytes), "cuMemcpyDtoH(rows)");
      hostScores.get(scores);
      hostRows.get(rows);
    }
    Candidates[] result = new Candidates[q];
    boolean everyRow = kept == count;
    int listed = everyRow ? kept : kept - 1;
    for (int i = 0; i < q; i++) {
      result[i] =
          new Candidates(
              Arrays.copyOfRange(rows, i * kept, i * kept + listed),
              Arrays.copyOfRange(scores, i * kept, i * kept + listed),
              everyRow ? Float.NEGATIVE_INFINITY : scores[i * kept + kept - 1]);
    }
    return result;
  }

  /** GPU time of the last search's kernels (scoring and selection), without any copy. */
  public synchronized float lastKernelMillis() {
    if (kernelsEnd == null) {
      return Float.NaN;
    }
    cuda.makeCurrent();
    check(cuEventSynchronize(kernelsEnd), "cuEventSynchronize");
    float[] millis = new float[1];
    check(cuEventElapsedTime(millis, kernelsStart, kernelsEnd), "cuEventElapsedTime");
    return millis[0];
  }

  /**
   * Float rounding of a d-term dot product of unit vectors on either side (the GPU sums in another
   * order than the CPU), plus the worst half-precision rounding of a stored row.
   */
  @Override
  public synchronized float errorBound() {
    return dimension * 0x1p-23f + 0x1p-20f + (half ? worstHalfError : 0f);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      cleanable.clean();
    }
  }

  /** Copies the gathered appends to the device in one transfer. */
  private void flush() {
    if (pendingCount == 0) {
      return;
    }
    cuda.makeCurrent();
    reserve(count + pendingCount);
    long rowsAt = buffers.rows + (long) count * rowBytes;
    if (half) {
      short[] halves = new short[pendingCount * dimension];
      for (int i = 0; i < halves.length; i++) {
        halves[i] = (short) HalfIndexer.fromFloat(pending[i]);
      }
      for (int r = 0; r < pendingCount; r++) {
        double error = 0;
        for (int i = 0; i < dimension; i++) {
          double e =
              pending[r * dimension + i] - (double) HalfIndexer.toFloat(halves[r * dimension + i]);
          error += e * e;
        }
        worstHalfError = Math.max(worstHalfError, (float) Math.sqrt(error) * 1.0001f);
      }
      try (ShortPointer host = new ShortPointer(halves)) {
        check(cuMemcpyHtoD(rowsAt, host, (long) pendingCount * rowBytes), "cuMemcpyHtoD(rows)");
      }
    } else {
      try (FloatPointer host = new FloatPointer(pendingCount * (long) dimension)) {
        host.put(pending, 0, pendingCount * dimension);
        check(cuMemcpyHtoD(rowsAt, host, (long) pendingCount * rowBytes), "cuMemcpyHtoD(rows)");
      }
    }
    try (FloatPointer host = new FloatPointer(pendingCount)) {
      host.put(pendingNorms, 0, pendingCount);
      check(
          cuMemcpyHtoD(buffers.norms + 4L * count, host, 4L * pendingCount), "cuMemcpyHtoD(norms)");
    }
    count += pendingCount;
    pendingCount = 0;
  }

  /** Grows the row buffer to hold {@code rows}, doubling, copying what is there. */
  private void reserve(long rows) {
    if (rows <= buffers.capacity) {
      return;
    }
    long capacity = Math.max(rows, Math.max(1024, buffers.capacity * 2));
    long newRows = cuda.allocate(capacity * rowBytes, "gallery rows");
    long newNorms;
    try {
      newNorms = cuda.allocate(capacity * 4, "row norms");
    } catch (RuntimeException e) {
      cuda.free(newRows);
      throw e;
    }
    if (count > 0) {
      check(
          cuMemcpyDtoD(newRows, buffers.rows, (long) count * rowBytes), "cuMemcpyDtoD(grow rows)");
      check(cuMemcpyDtoD(newNorms, buffers.norms, 4L * count), "cuMemcpyDtoD(grow norms)");
    }
    cuda.free(buffers.rows);
    cuda.free(buffers.norms);
    buffers.rows = newRows;
    buffers.norms = newNorms;
    buffers.capacity = capacity;
  }

  private long scratch(long bytes) {
    if (bytes > buffers.scratchBytes) {
      cuda.free(buffers.scratch);
      buffers.scratch = 0;
      buffers.scratch = cuda.allocate(bytes, "search scratch");
      buffers.scratchBytes = bytes;
    }
    return buffers.scratch;
  }

  private void checkRow(int row) {
    if (row < 0 || row >= count) {
      throw new IllegalArgumentException("row " + row + " outside [0, " + count + ")");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this CUDA index has been closed already");
    }
  }

  private static long offset(long pointer, long bytes) {
    return pointer == 0 ? 0 : pointer + bytes;
  }

  /** Where each part starts, then the total. */
  private static long[] offsets(long... sizes) {
    long[] offsets = new long[sizes.length + 1];
    for (int i = 0; i < sizes.length; i++) {
      offsets[i + 1] = offsets[i] + ((sizes[i] + 255) & ~255L);
    }
    return offsets;
  }
}
