// Over 400 lines: the device mirror of a gallery's rows (uploads, moves, truncations) and its
// searches share the same buffers and bookkeeping.
package dev.semblance.cuda;

import static dev.semblance.cuda.Driver.check;
import static org.bytedeco.cuda.global.cudart.cuEventCreate;
import static org.bytedeco.cuda.global.cudart.cuEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cuEventRecord;
import static org.bytedeco.cuda.global.cudart.cuMemcpyDtoD;
import static org.bytedeco.cuda.global.cudart.cuMemcpyDtoH;
import static org.bytedeco.cuda.global.cudart.cuMemcpyHtoD;
import static org.bytedeco.cuda.global.cudart.cuMemsetD32;
import static org.bytedeco.cuda.global.cudart.cuMemsetD8;

import dev.semblance.spi.AcceleratedIndex;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.HalfIndexer;

/**
 * A gallery's rows in GPU memory (float32 or half), with the squared norm of each row for the L2
 * metric. Appends are gathered on the host and copied in blocks; moves and truncations are
 * device-to-device copies. Searches score every row on the GPU and keep only each query's best
 * {@code candidates + 1} (the last one bounds every row left out). Batches of more than {@value
 * SearchPlan#FEW_QUERIES} queries run on the tensor cores in half precision and keep, instead,
 * every row that the rounding could have pushed out of the best {@code candidates} ({@link
 * Shortlist}): a list of at least that many rows.
 *
 * <p>Thread safety: safe for concurrent use; calls are serialised on this index. Device memory is
 * freed by {@link #close()}, or by a {@link Cleaner} if an index is dropped unclosed.
 */
public final class CudaIndex implements AcceleratedIndex {
  /** Scores of one chunk of a search: 256 MiB of floats at most. */
  private static final long SCORE_BUDGET_FLOATS = 64L << 20;

  /** Queries searched together on the tensor cores: their sample's scores fill the budget. */
  private static final int TENSOR_QUERIES = 1024;

  /** Rows whose c-th best score sets each query's floor before the whole gallery is scored. */
  private static final int SAMPLE_ROWS = 65_536;

  /**
   * Candidate places per query on the first pass over the rows; a query with more rows above its
   * floor is scored again with as many places as it needs.
   */
  private static final int LIST_PLACES = 2048;

  private static final int PENDING_ROWS = 4096;
  private static final int BLOCK = 256;

  /** Rows each warp of the few-queries kernel reads at once (the kernel's FEW_ROWS). */
  private static final int FEW_ROWS = 4;

  /** Rows and queries of one tensor-core block (the kernel's tc::ROWS and tc::QUERIES). */
  private static final int TENSOR_TILE = 128;

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

  /** Bracket each pass of kernels, for {@link #lastKernelMillis()}. */
  private CUevent_st kernelsStart;

  private CUevent_st kernelsEnd;

  /** GPU time of the last search's passes, summed; NaN before the first. */
  private float kernelMillis = Float.NaN;

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

  /** The length of every row. */
  public int dimension() {
    return dimension;
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
    Candidates[] nothingToSearch = nothingToSearch(queries);
    if (nothingToSearch != null) {
      return nothingToSearch;
    }
    if (metric == Metric.INNER_PRODUCT
        && queries.length > SearchPlan.FEW_QUERIES
        && dimension % 8 == 0) {
      return onTensorCores(queries, candidates);
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
    clearPartials(plan, scratch + partialScoresAt, scratch + partialIndexAt);
    startTiming();
    long rowNorms = metric == Metric.NEGATIVE_SQUARED_L2 ? buffers.norms : 0L;
    long queryNormsPointer = metric == Metric.NEGATIVE_SQUARED_L2 ? scratch + queryNormsAt : 0L;
    boolean few = plan.fewQueries() && queryBytes <= 48 * 1024;
    for (int c = 0; c < plan.chunks(); c++) {
      long start = plan.chunkStart(c), length = plan.chunkLength(c);
      long rowsPointer = buffers.rows + start * rowBytes;
      if (few) {
        long rowsPerBlock = FEW_ROWS * (BLOCK / 32);
        int grid =
            (int)
                Math.min((length + rowsPerBlock - 1) / rowsPerBlock, 16L * cuda.multiprocessors());
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
      selectInChunk(
          plan, c, scratch + scoresAt, scratch + partialScoresAt, scratch + partialIndexAt);
    }
    mergeChunks(
        plan,
        scratch + partialScoresAt,
        scratch + partialIndexAt,
        scratch + finalScoresAt,
        scratch + finalIndexAt);
    check(cuEventRecord(kernelsEnd, null), "cuEventRecord");
    kernelMillis = 0;
    float[] scores = new float[kept * q];
    int[] rows = new int[kept * q];
    try (FloatPointer hostScores = new FloatPointer(scores.length);
        IntPointer hostRows = new IntPointer(rows.length)) {
      check(cuMemcpyDtoH(hostScores, scratch + finalScoresAt, finalBytes), "cuMemcpyDtoH(scores)");
      check(cuMemcpyDtoH(hostRows, scratch + finalIndexAt, finalBytes), "cuMemcpyDtoH(rows)");
      hostScores.get(scores);
      hostRows.get(rows);
    }
    addTiming();
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

  /**
   * Each query's shortlist from the tensor cores, whatever the number of queries: every row that
   * may be among its exact best {@code candidates} (at most {@value SearchPlan#MAX_K}), best first;
   * {@code dimension} must be a multiple of 8.
   */
  synchronized Candidates[] shortlists(float[][] queries, int candidates) {
    if (dimension % 8 != 0) {
      throw new IllegalStateException(
          "the tensor cores need a dimension divisible by 8: " + dimension);
    }
    Candidates[] nothingToSearch = nothingToSearch(queries);
    return nothingToSearch != null ? nothingToSearch : onTensorCores(queries, candidates);
  }

  /**
   * Checks the index and the queries, and uploads pending rows; the answer when there is nothing to
   * search (no query, or no row), else null.
   */
  private Candidates[] nothingToSearch(float[][] queries) {
    checkOpen();
    flush();
    for (float[] query : queries) {
      checkDimension(query);
    }
    if (queries.length > 0 && count > 0) {
      return null;
    }
    Candidates[] result = new Candidates[queries.length];
    Arrays.fill(result, new Candidates(new int[0], new float[0], Float.NEGATIVE_INFINITY));
    return result;
  }

  /**
   * Blocks of up to {@value #TENSOR_QUERIES} queries in turn: a pass over the first {@value
   * #SAMPLE_ROWS} rows sets each query's floor ({@link Shortlist#floor}), then a pass over every
   * row lists the rows at or above it, and the host keeps what may be among the best.
   */
  private Candidates[] onTensorCores(float[][] queries, int candidates) {
    int c = (int) Math.min(Math.min(candidates, SearchPlan.MAX_K), count);
    Candidates[] result = new Candidates[queries.length];
    kernelMillis = 0;
    for (int from = 0; from < queries.length; from += TENSOR_QUERIES) {
      tensorBlock(queries, from, Math.min(queries.length, from + TENSOR_QUERIES), c, result);
    }
    return result;
  }

  private void tensorBlock(float[][] queries, int from, int to, int c, Candidates[] result) {
    int q = to - from;
    short[] halves = new short[q * dimension];
    float[] epsilon = new float[q];
    // The host's part runs on the common pool: with a million queries (clustering) it adds up.
    IntStream.range(0, q)
        .parallel()
        .forEach(
            i -> {
              float[] query = queries[from + i];
              double norm = 0, error = 0;
              for (int t = 0; t < dimension; t++) {
                short h = (short) HalfIndexer.fromFloat(query[t]);
                halves[i * dimension + t] = h;
                double e = query[t] - (double) HalfIndexer.toFloat(h);
                norm += (double) query[t] * query[t];
                error += e * e;
              }
              epsilon[i] =
                  Shortlist.epsilon(dimension, Math.sqrt(norm), Math.sqrt(error), worstHalfError);
            });

    long sampleRows = Math.min(count, SAMPLE_ROWS);
    SearchPlan plan = SearchPlan.of(sampleRows, q, c, SCORE_BUDGET_FLOATS, cuda.multiprocessors());
    long partialBytes = 4L * plan.partialsPerQuery() * q, bestBytes = 4L * c * q;
    long[] parts =
        offsets(
            2L * q * dimension,
            4L * sampleRows * q,
            partialBytes,
            partialBytes,
            bestBytes,
            bestBytes);
    long queriesAt = parts[0], scoresAt = parts[1], partialScoresAt = parts[2];
    long partialIndexAt = parts[3], bestScoresAt = parts[4], bestIndexAt = parts[5];
    cuda.makeCurrent();
    long scratch = scratch(parts[6]);
    try (ShortPointer host = new ShortPointer(halves)) {
      check(cuMemcpyHtoD(scratch + queriesAt, host, 2L * q * dimension), "cuMemcpyHtoD(queries)");
    }
    clearPartials(plan, scratch + partialScoresAt, scratch + partialIndexAt);
    startTiming();
    launchTensor(scratch + queriesAt, q, sampleRows, scratch + scoresAt, 0, 0, 0, 0, 0);
    selectInChunk(plan, 0, scratch + scoresAt, scratch + partialScoresAt, scratch + partialIndexAt);
    mergeChunks(
        plan,
        scratch + partialScoresAt,
        scratch + partialIndexAt,
        scratch + bestScoresAt,
        scratch + bestIndexAt);
    check(cuEventRecord(kernelsEnd, null), "cuEventRecord");
    float[] best = new float[c * q];
    try (FloatPointer host = new FloatPointer(best.length)) {
      check(cuMemcpyDtoH(host, scratch + bestScoresAt, bestBytes), "cuMemcpyDtoH(sample)");
      host.get(best);
    }
    addTiming();
    float[] floors = new float[q];
    for (int i = 0; i < q; i++) {
      floors[i] = Shortlist.floor(best[i * c + c - 1], epsilon[i], dimension);
    }

    Lists lists = collect(halves, q, floors, LIST_PLACES);
    float reported = errorBound();
    IntStream.range(0, q)
        .parallel()
        .forEach(i -> result[from + i] = kept(lists, i, c, floors[i], epsilon[i], reported));
  }

  /** What query {@code i} keeps of its list ({@link Shortlist#keep}). */
  private Candidates kept(Lists lists, int i, int c, float floor, float epsilon, float reported) {
    Candidates kept =
        Shortlist.keep(
            lists.scores[i],
            lists.rows[i],
            lists.scores[i].length,
            c,
            floor,
            epsilon,
            dimension,
            reported);
    // Still more rows above the floor than could be listed: nothing is known of those left out,
    // and a gallery searches that query on the CPU.
    return lists.complete[i]
        ? kept
        : new Candidates(kept.rows(), kept.scores(), Float.POSITIVE_INFINITY);
  }

  /** Each query's rows at or above its floor, with their scores; complete unless too many. */
  private static final class Lists {
    final float[][] scores;
    final int[][] rows;
    final boolean[] complete;

    Lists(float[][] scores, int[][] rows, boolean[] complete) {
      this.scores = scores;
      this.rows = rows;
      this.complete = complete;
    }
  }

  /**
   * Lists every row scoring at or above each query's floor, in one pass over the rows with {@code
   * places} list places a query; queries that had more are listed again with as many places as they
   * need, in as many passes as the scratch budget calls for.
   */
  private Lists collect(short[] halves, int q, float[] floors, int places) {
    if ((long) q * places > SCORE_BUDGET_FLOATS && q > 1) {
      int half = q / 2;
      Lists first =
          collect(
              Arrays.copyOf(halves, half * dimension), half, Arrays.copyOf(floors, half), places);
      Lists second =
          collect(
              Arrays.copyOfRange(halves, half * dimension, q * dimension),
              q - half,
              Arrays.copyOfRange(floors, half, q),
              places);
      return new Lists(
          concat(first.scores, second.scores, new float[q][]),
          concat(first.rows, second.rows, new int[q][]),
          concat(first.complete, second.complete));
    }
    long listBytes = 4L * q * places;
    long[] parts = offsets(2L * q * dimension, 4L * q, 4L * q, listBytes, listBytes);
    long queriesAt = parts[0], floorsAt = parts[1], countsAt = parts[2];
    long listScoresAt = parts[3], listRowsAt = parts[4];
    cuda.makeCurrent();
    long scratch = scratch(parts[5]);
    try (ShortPointer hostQueries = new ShortPointer(halves);
        FloatPointer hostFloors = new FloatPointer(floors)) {
      check(cuMemcpyHtoD(scratch + queriesAt, hostQueries, 2L * q * dimension), "cuMemcpyHtoD");
      check(cuMemcpyHtoD(scratch + floorsAt, hostFloors, 4L * q), "cuMemcpyHtoD(floors)");
    }
    check(cuMemsetD32(scratch + countsAt, 0, q), "cuMemsetD32(counts)");
    startTiming();
    launchTensor(
        scratch + queriesAt,
        q,
        count,
        0,
        scratch + floorsAt,
        scratch + countsAt,
        scratch + listScoresAt,
        scratch + listRowsAt,
        places);
    check(cuEventRecord(kernelsEnd, null), "cuEventRecord");
    int[] counts = new int[q];
    float[] listScores = new float[q * places];
    int[] listRows = new int[q * places];
    try (IntPointer hostCounts = new IntPointer(q);
        FloatPointer hostScores = new FloatPointer(listScores.length);
        IntPointer hostRows = new IntPointer(listRows.length)) {
      check(cuMemcpyDtoH(hostCounts, scratch + countsAt, 4L * q), "cuMemcpyDtoH(counts)");
      check(cuMemcpyDtoH(hostScores, scratch + listScoresAt, listBytes), "cuMemcpyDtoH(lists)");
      check(cuMemcpyDtoH(hostRows, scratch + listRowsAt, listBytes), "cuMemcpyDtoH(lists)");
      hostCounts.get(counts);
      hostScores.get(listScores);
      hostRows.get(listRows);
    }
    addTiming();
    float[][] scores = new float[q][];
    int[][] rows = new int[q][];
    boolean[] complete = new boolean[q];
    int most = 0;
    List<Integer> again = new ArrayList<>();
    for (int i = 0; i < q; i++) {
      int listed = Math.min(counts[i], places);
      scores[i] = Arrays.copyOfRange(listScores, i * places, i * places + listed);
      rows[i] = Arrays.copyOfRange(listRows, i * places, i * places + listed);
      complete[i] = counts[i] <= places;
      if (!complete[i]) {
        again.add(i);
        most = Math.max(most, counts[i]);
      }
    }
    // One query alone with more rows than the budget holds stays incomplete.
    if (!again.isEmpty() && (long) most <= SCORE_BUDGET_FLOATS) {
      short[] againHalves = new short[again.size() * dimension];
      float[] againFloors = new float[again.size()];
      for (int j = 0; j < again.size(); j++) {
        int i = again.get(j);
        System.arraycopy(halves, i * dimension, againHalves, j * dimension, dimension);
        againFloors[j] = floors[i];
      }
      Lists wider = collect(againHalves, again.size(), againFloors, most);
      for (int j = 0; j < again.size(); j++) {
        int i = again.get(j);
        scores[i] = wider.scores[j];
        rows[i] = wider.rows[j];
        complete[i] = wider.complete[j];
      }
    }
    return new Lists(scores, rows, complete);
  }

  /**
   * One pass of the tensor-core kernel over rows [0, rows): scores stored at {@code scoresAt} (one
   * line of {@code rows} per query) or, when that is 0, listed above the floors.
   */
  private void launchTensor(
      long queriesAt,
      int q,
      long rows,
      long scoresAt,
      long floorsAt,
      long countsAt,
      long listScoresAt,
      long listRowsAt,
      int places) {
    long tiles = ((q + TENSOR_TILE - 1) / TENSOR_TILE) * ((rows + TENSOR_TILE - 1) / TENSOR_TILE);
    cuda.launch(
        half ? cuda.scoreTensorF16 : cuda.scoreTensorF32,
        "score_tensor",
        Math.toIntExact(tiles),
        1,
        256,
        0,
        buffers.rows,
        rows,
        dimension,
        queriesAt,
        q,
        scoresAt,
        rows,
        floorsAt,
        countsAt,
        listScoresAt,
        listRowsAt,
        places);
  }

  /** Empties the partial results that {@link #selectInChunk} fills. */
  private static void clearPartials(SearchPlan plan, long scoresAt, long indexAt) {
    long values = plan.partialsPerQuery() * plan.queries();
    check(cuMemsetD32(scoresAt, NEGATIVE_INFINITY_BITS, values), "cuMemsetD32(partial scores)");
    check(cuMemsetD32(indexAt, -1, values), "cuMemsetD32(partial rows)");
  }

  /** Each query's {@code plan.k()} best of one chunk's scores, into its partial results. */
  private void selectInChunk(
      SearchPlan plan, int chunk, long scoresAt, long partialScoresAt, long partialIndexAt) {
    long length = plan.chunkLength(chunk);
    long partialOffset = 4L * chunk * plan.segmentsPerChunk() * plan.k();
    cuda.launch(
        cuda.selectTopK,
        "select_top_k",
        plan.segmentsIn(chunk),
        plan.queries(),
        SELECT_THREADS,
        0,
        scoresAt,
        0L,
        length,
        length,
        plan.segment(),
        plan.k(),
        plan.chunkStart(chunk),
        partialScoresAt + partialOffset,
        partialIndexAt + partialOffset,
        plan.partialsPerQuery());
  }

  /** Each query's {@code plan.k()} best of its partial results, best first. */
  private void mergeChunks(
      SearchPlan plan, long partialScoresAt, long partialIndexAt, long bestAt, long bestIndexAt) {
    cuda.launch(
        cuda.selectTopK,
        "select_top_k(merge)",
        1,
        plan.queries(),
        SELECT_THREADS,
        0,
        partialScoresAt,
        partialIndexAt,
        plan.partialsPerQuery(),
        plan.partialsPerQuery(),
        plan.partialsPerQuery(),
        plan.k(),
        0L,
        bestAt,
        bestIndexAt,
        (long) plan.k());
  }

  private void startTiming() {
    if (kernelsStart == null) {
      kernelsStart = new CUevent_st();
      kernelsEnd = new CUevent_st();
      check(cuEventCreate(kernelsStart, 0), "cuEventCreate");
      check(cuEventCreate(kernelsEnd, 0), "cuEventCreate");
    }
    check(cuEventRecord(kernelsStart, null), "cuEventRecord");
  }

  /** Adds the pass just bracketed (its results copied back, so it has finished). */
  private void addTiming() {
    float[] millis = new float[1];
    check(cuEventElapsedTime(millis, kernelsStart, kernelsEnd), "cuEventElapsedTime");
    kernelMillis += millis[0];
  }

  private void checkDimension(float[] query) {
    if (query.length != dimension) {
      throw new IllegalArgumentException(
          "query has " + query.length + " dimensions, index " + dimension);
    }
  }

  /**
   * GPU time of the last search's kernels (scoring and selection), without any copy; on the tensor
   * cores, from the sample pass to the last list, copies of the lists included.
   */
  public synchronized float lastKernelMillis() {
    return kernelMillis;
  }

  /**
   * Float rounding of a d-term dot product of unit vectors on either side (the GPU sums in another
   * order than the CPU), plus the worst half-precision rounding of a stored row.
   */
  @Override
  public synchronized float errorBound() {
    return dimension * 0x1p-23f + 0x1p-20f + (half ? worstHalfError : 0f);
  }

  /**
   * The most a tensor-core score of a unit query may differ from the exact inner product: what
   * {@link Shortlist#epsilon} allows for the worst half rounding of a unit query, ‖q − h(q)‖ ≤ 2⁻¹¹
   * plus the subnormals' absolute error.
   */
  synchronized float tensorErrorBound() {
    double worstUnitQuery = 0x1p-11 + Math.sqrt(dimension) * 0x1p-25;
    return Shortlist.epsilon(dimension, 1, worstUnitQuery, worstHalfError);
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
    // Half rows are what the tensor cores multiply, whatever the storage.
    short[] halves = new short[pendingCount * dimension];
    double worst =
        IntStream.range(0, pendingCount)
            .parallel()
            .mapToDouble(
                r -> {
                  double error = 0;
                  for (int i = r * dimension; i < (r + 1) * dimension; i++) {
                    halves[i] = (short) HalfIndexer.fromFloat(pending[i]);
                    double e = pending[i] - (double) HalfIndexer.toFloat(halves[i]);
                    error += e * e;
                  }
                  return Math.sqrt(error);
                })
            .max()
            .orElse(0);
    worstHalfError = Math.max(worstHalfError, (float) worst * 1.0001f);
    if (half) {
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

  private static <T> T[] concat(T[] first, T[] second, T[] into) {
    System.arraycopy(first, 0, into, 0, first.length);
    System.arraycopy(second, 0, into, first.length, second.length);
    return into;
  }

  private static boolean[] concat(boolean[] first, boolean[] second) {
    boolean[] into = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, into, first.length, second.length);
    return into;
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
