package dev.semblance.cuda;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How one search is cut up on the device. Scores of all queries against a chunk of rows fill a
 * scratch buffer of bounded size; each chunk is cut into segments, and one block per (segment,
 * query) keeps its segment's k best; a last pass per query keeps the k best of those partial
 * results. Only queries × k values come back to the host.
 *
 * @param rows gallery rows
 * @param queries queries in this search
 * @param k results kept per segment and in the end
 * @param chunkRows rows scored per chunk (a multiple of the GEMM tile, except a final chunk)
 * @param chunks number of chunks
 * @param segment scores per selection block
 * @param segmentsPerChunk selection blocks per chunk and query, at most
 * @param partialsPerQuery length of each query's partial-result list
 */
record SearchPlan(
    long rows,
    int queries,
    int k,
    long chunkRows,
    int chunks,
    long segment,
    int segmentsPerChunk,
    long partialsPerQuery) {
  /** The kernels' per-thread candidate lists hold at most this many. */
  static final int MAX_K = 64;

  /** Score rows per GEMM tile; chunks are multiples of it so tiles never straddle two chunks. */
  static final int TILE = 64;

  /** Queries up to this many use the memory-bound kernel; more use the GEMM-style one. */
  static final int FEW_QUERIES = 8;

  static SearchPlan of(long rows, int queries, int k, long scoreBudgetFloats, int multiprocessors) {
    checkArgument(rows > 0 && queries > 0, "empty search: %s rows, %s queries", rows, queries);
    checkArgument(k > 0 && k <= MAX_K, "k must be in [1, %s]: %s", MAX_K, k);
    long chunkRows = Math.max(TILE, scoreBudgetFloats / queries / TILE * TILE);
    chunkRows = Math.min(chunkRows, roundUp(rows, TILE));
    int chunks = (int) ((rows + chunkRows - 1) / chunkRows);
    // Enough selection blocks to keep every multiprocessor busy twice over, each with at least
    // a few scores per thread.
    long wanted = Math.max(1, (2L * multiprocessors + queries - 1) / queries);
    int segmentsPerChunk = (int) Math.max(1, Math.min(wanted, chunkRows / 1024));
    long segment = (chunkRows + segmentsPerChunk - 1) / segmentsPerChunk;
    long partials = (long) chunks * segmentsPerChunk * k;
    checkArgument(
        partials < Integer.MAX_VALUE,
        "search too large for one plan: %s partial results",
        partials);
    return new SearchPlan(rows, queries, k, chunkRows, chunks, segment, segmentsPerChunk, partials);
  }

  long chunkStart(int chunk) {
    return chunk * chunkRows;
  }

  long chunkLength(int chunk) {
    return Math.min(chunkRows, rows - chunkStart(chunk));
  }

  /** Selection blocks the chunk actually needs (the last chunk may need fewer). */
  int segmentsIn(int chunk) {
    return (int) ((chunkLength(chunk) + segment - 1) / segment);
  }

  boolean fewQueries() {
    return queries <= FEW_QUERIES;
  }

  private static long roundUp(long value, long step) {
    return (value + step - 1) / step * step;
  }
}
