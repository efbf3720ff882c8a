// Semblance gallery search kernels: scores of Q queries against N rows (inner product, or the
// negated squared L2 distance when row norms are given, so that higher is always better), and
// per-query top-k selection on the device so that only Q x k results travel back.
//
// Rows are row-major N x d, float32 or IEEE half; queries are row-major Q x d float32; scores
// are row-major Q x ldScores. Every kernel has C linkage for cuModuleGetFunction.

#include <cuda_fp16.h>
#include <cuda_pipeline.h>
#include <math_constants.h>
#include <mma.h>

namespace {

__device__ __forceinline__ float load(const float* p) { return __ldg(p); }
__device__ __forceinline__ float load(const __half* p) { return __half2float(__ldg(p)); }

// The final score from an inner product: itself, or -(|q|^2 + |x|^2 - 2 q.x) for L2.
__device__ __forceinline__ float finish(float dot, const float* rowNorms, const float* queryNorms,
                                        long long row, int q) {
  return rowNorms == nullptr ? dot : 2.0f * dot - rowNorms[row] - queryNorms[q];
}

constexpr int SMALL_Q = 8;

// Eight consecutive values (32 bytes of float32, 16 of half) in 16-byte loads; needs d % 8 == 0.
__device__ __forceinline__ void load8(const float* x, int group, float (&v)[8]) {
  const float4* p = reinterpret_cast<const float4*>(x) + 2 * group;
  float4 a = __ldg(p), b = __ldg(p + 1);
  v[0] = a.x; v[1] = a.y; v[2] = a.z; v[3] = a.w;
  v[4] = b.x; v[5] = b.y; v[6] = b.z; v[7] = b.w;
}
__device__ __forceinline__ void load8(const __half* x, int group, float (&v)[8]) {
  uint4 raw = __ldg(reinterpret_cast<const uint4*>(x) + group);
  const __half2* h = reinterpret_cast<const __half2*>(&raw);
#pragma unroll
  for (int i = 0; i < 4; i++) {
    float2 f = __half22float2(h[i]);
    v[2 * i] = f.x;
    v[2 * i + 1] = f.y;
  }
}

// Rows a warp reads at once: one row of 512 halves is a single 16-byte load per lane, too little
// in flight to hide the memory's latency; four rows' loads are issued before any is used.
constexpr int FEW_ROWS = 4;

// Few queries: memory-bound. Each warp takes FEW_ROWS rows at a time (grid-stride), each lane
// reading a strided part of them once in 16-byte loads and multiplying it with up to SMALL_Q
// queries held in shared memory.
template <typename T>
__device__ void scoreFew(const T* __restrict__ rows, long long n, int d,
                         const float* __restrict__ queries, int q,
                         const float* rowNorms, const float* queryNorms,
                         float* __restrict__ scores, long long ldScores) {
  extern __shared__ float shared[];  // q * d floats
  for (int i = threadIdx.x; i < q * d; i += blockDim.x) shared[i] = queries[i];
  __syncthreads();
  const int lane = threadIdx.x & 31;
  const long long warp = (blockIdx.x * (long long)blockDim.x + threadIdx.x) >> 5;
  const long long warps = (gridDim.x * (long long)blockDim.x) >> 5;
  for (long long first = warp * FEW_ROWS; first < n; first += warps * FEW_ROWS) {
    float acc[FEW_ROWS][SMALL_Q];
#pragma unroll
    for (int r = 0; r < FEW_ROWS; r++)
#pragma unroll
      for (int j = 0; j < SMALL_Q; j++) acc[r][j] = 0.0f;
    if ((d & 7) == 0) {
      for (int g = lane; g < d / 8; g += 32) {
        float v[FEW_ROWS][8];
#pragma unroll
        for (int r = 0; r < FEW_ROWS; r++) {
          if (first + r < n) {
            load8(rows + (first + r) * d, g, v[r]);
          } else {
#pragma unroll
            for (int i = 0; i < 8; i++) v[r][i] = 0.0f;
          }
        }
#pragma unroll
        for (int j = 0; j < SMALL_Q; j++) {
          if (j < q) {
            const float4* w = reinterpret_cast<const float4*>(shared + j * d) + 2 * g;
            float4 w0 = w[0], w1 = w[1];
#pragma unroll
            for (int r = 0; r < FEW_ROWS; r++) {
              float a = acc[r][j];
              a = fmaf(w0.x, v[r][0], a); a = fmaf(w0.y, v[r][1], a);
              a = fmaf(w0.z, v[r][2], a); a = fmaf(w0.w, v[r][3], a);
              a = fmaf(w1.x, v[r][4], a); a = fmaf(w1.y, v[r][5], a);
              a = fmaf(w1.z, v[r][6], a); a = fmaf(w1.w, v[r][7], a);
              acc[r][j] = a;
            }
          }
        }
      }
    } else {
      for (int i = lane; i < d; i += 32) {
#pragma unroll
        for (int r = 0; r < FEW_ROWS; r++) {
          float v = first + r < n ? load(rows + (first + r) * d + i) : 0.0f;
#pragma unroll
          for (int j = 0; j < SMALL_Q; j++) {
            if (j < q) acc[r][j] = fmaf(shared[j * d + i], v, acc[r][j]);
          }
        }
      }
    }
#pragma unroll
    for (int r = 0; r < FEW_ROWS; r++) {
#pragma unroll
      for (int j = 0; j < SMALL_Q; j++) {
        if (j < q) {
          float s = acc[r][j];
          for (int offset = 16; offset > 0; offset >>= 1) s += __shfl_down_sync(0xffffffffu, s, offset);
          long long row = first + r;
          if (lane == 0 && row < n) scores[j * ldScores + row] = finish(s, rowNorms, queryNorms, row, j);
        }
      }
    }
  }
}

// Many queries: compute-bound, a GEMM. Each 256-thread block computes a 64 x 64 tile of
// (queries x rows), each thread a 4 x 4 patch, staging 16-wide slices of both operands in
// shared memory (stored k-major so the inner loop reads consecutive addresses).
constexpr int TILE = 64, STEP = 16;

template <typename T>
__device__ void scoreTiled(const T* __restrict__ rows, long long n, int d,
                           const float* __restrict__ queries, int q,
                           const float* rowNorms, const float* queryNorms,
                           float* __restrict__ scores, long long ldScores) {
  __shared__ __align__(16) float qs[STEP][TILE + 4];
  __shared__ __align__(16) float xs[STEP][TILE + 4];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const long long row0 = (long long)blockIdx.x * TILE;
  const int q0 = blockIdx.y * TILE;
  float acc[4][4] = {};
  for (int k0 = 0; k0 < d; k0 += STEP) {
    // 256 threads load 64 x 16 values of each operand: four each.
    for (int i = threadIdx.x; i < TILE * STEP; i += 256) {
      int r = i / STEP, k = i % STEP;
      int qi = q0 + r;
      long long xi = row0 + r;
      qs[k][r] = (qi < q && k0 + k < d) ? queries[(long long)qi * d + k0 + k] : 0.0f;
      xs[k][r] = (xi < n && k0 + k < d) ? load(rows + xi * d + k0 + k) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < STEP; k++) {
      // 16-byte shared loads: two per sixteen FMAs.
      float4 av = *reinterpret_cast<const float4*>(&qs[k][ty * 4]);
      float4 bv = *reinterpret_cast<const float4*>(&xs[k][tx * 4]);
      float a[4] = {av.x, av.y, av.z, av.w}, b[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    int qi = q0 + ty * 4 + i;
    if (qi >= q) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      long long xi = row0 + tx * 4 + j;
      if (xi < n) scores[(long long)qi * ldScores + xi] = finish(acc[i][j], rowNorms, queryNorms, xi, qi);
    }
  }
}

// Many queries on the tensor cores: half x half products summed in float32 (WMMA 16 x 16 x 16).
// Each 256-thread block computes a 128 x 128 tile of (queries x rows), each of its 8 warps a
// 64 x 32 part of it, from 32-deep slices of both operands staged in shared memory, two slices
// in turn so that the next one loads while this one is multiplied. Queries arrive as half; rows
// are half (copied asynchronously) or float32 (loaded into registers and rounded to half on the
// way into shared memory, so both storages use the same tensor-core path).
//
// A score is then either stored (scores != nullptr: the sample pass that sets each query's
// floor) or, at or above its query's floor, appended to the query's candidate list: the count is
// the number of rows at or above the floor even past the list's capacity, so the host can tell
// a list that overflowed and search that query again with a larger one.
namespace tc {
constexpr int QUERIES = 128, ROWS = 128, DEPTH = 32, THREADS = 256;
// Padding of each staged line (8 halves = 16 bytes) keeps the warps' fragment loads off each
// other's shared-memory banks; lines stay 32-byte aligned at every 16th line as WMMA needs.
constexpr int LINE = DEPTH + 8;
constexpr int STAGE = QUERIES * LINE + ROWS * LINE;  // halves: the query slice, then the row slice
constexpr int CHUNKS = ROWS * DEPTH / 8;             // 16-byte pieces of one operand's slice
}  // namespace tc

// The j-th of a thread's 16-byte pieces of a slice: its line (a query or row) and its place in it.
__device__ __forceinline__ int2 piece(int j) {
  int c = threadIdx.x + j * tc::THREADS;
  return make_int2(c / (tc::DEPTH / 8), c % (tc::DEPTH / 8));
}

// Issues the loads of rows [row0, row0 + ROWS) x [k0, k0 + DEPTH) into a stage's row slice.
struct HalfRows {
  const __half* rows;
  __device__ void issue(__half* slice, long long n, int d, long long row0, int k0) {
#pragma unroll
    for (int j = 0; j < tc::CHUNKS / tc::THREADS; j++) {
      int r = piece(j).x, part = piece(j).y;
      long long row = row0 + r;
      int k = k0 + part * 8;
      // Past the last row or dimension: zero-filled, reading nothing (row 0's address is given).
      bool inside = row < n && k < d;
      const __half* from = rows + (inside ? row * d + k : 0);
      __pipeline_memcpy_async(slice + r * tc::LINE + part * 8, from, 16, inside ? 0 : 16);
    }
  }
  __device__ void land(__half*) {}
};

struct FloatRows {
  const float* rows;
  float4 held[2 * tc::CHUNKS / tc::THREADS];
  __device__ void issue(__half*, long long n, int d, long long row0, int k0) {
#pragma unroll
    for (int j = 0; j < tc::CHUNKS / tc::THREADS; j++) {
      int r = piece(j).x, part = piece(j).y;
      long long row = row0 + r;
      int k = k0 + part * 8;
      if (row < n && k < d) {
        const float4* from = reinterpret_cast<const float4*>(rows + row * d + k);
        held[2 * j] = __ldg(from);
        held[2 * j + 1] = __ldg(from + 1);
      } else {
        held[2 * j] = held[2 * j + 1] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      }
    }
  }
  __device__ void land(__half* slice) {
#pragma unroll
    for (int j = 0; j < tc::CHUNKS / tc::THREADS; j++) {
      int r = piece(j).x, part = piece(j).y;
      __align__(16) __half2 h[4] = {__floats2half2_rn(held[2 * j].x, held[2 * j].y),
                      __floats2half2_rn(held[2 * j].z, held[2 * j].w),
                      __floats2half2_rn(held[2 * j + 1].x, held[2 * j + 1].y),
                      __floats2half2_rn(held[2 * j + 1].z, held[2 * j + 1].w)};
      *reinterpret_cast<uint4*>(slice + r * tc::LINE + part * 8) = *reinterpret_cast<uint4*>(h);
    }
  }
};

__device__ __forceinline__ void issueQueries(__half* slice, const __half* queries, int q, int d,
                                             int q0, int k0) {
#pragma unroll
  for (int j = 0; j < tc::CHUNKS / tc::THREADS; j++) {
    int r = piece(j).x, part = piece(j).y;
    int query = q0 + r, k = k0 + part * 8;
    bool inside = query < q && k < d;
    const __half* from = queries + (inside ? (long long)query * d + k : 0);
    __pipeline_memcpy_async(slice + r * tc::LINE + part * 8, from, 16, inside ? 0 : 16);
  }
}

template <typename Rows>
__device__ void scoreTensor(Rows source, long long n, int d, const __half* __restrict__ queries,
                            int q, float* __restrict__ scores, long long ldScores,
                            const float* __restrict__ floors, int* __restrict__ counts,
                            float* __restrict__ listScores, int* __restrict__ listRows,
                            int capacity) {
  using namespace nvcuda;
  __shared__ __align__(128) __half stages[2 * tc::STAGE];
  const int queryTiles = (q + tc::QUERIES - 1) / tc::QUERIES;
  // Blocks of one row tile are neighbours in launch order, so its rows are read from memory
  // about once and the queries (small) stay in the L2 cache.
  const int q0 = (blockIdx.x % queryTiles) * tc::QUERIES;
  const long long row0 = (long long)(blockIdx.x / queryTiles) * tc::ROWS;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int warpQ = (warp / 4) * 64, warpR = (warp % 4) * 32;

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[4][2];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);

  const int slices = (d + tc::DEPTH - 1) / tc::DEPTH;
  issueQueries(stages, queries, q, d, q0, 0);
  source.issue(stages + tc::QUERIES * tc::LINE, n, d, row0, 0);
  __pipeline_commit();
  source.land(stages + tc::QUERIES * tc::LINE);
  for (int s = 0; s < slices; s++) {
    __half* current = stages + (s & 1) * tc::STAGE;
    __half* next = stages + ((s + 1) & 1) * tc::STAGE;
    if (s + 1 < slices) {
      issueQueries(next, queries, q, d, q0, (s + 1) * tc::DEPTH);
      source.issue(next + tc::QUERIES * tc::LINE, n, d, row0, (s + 1) * tc::DEPTH);
    }
    __pipeline_commit();
    __pipeline_wait_prior(1);  // this slice's copies have landed, the next one's may not have
    __syncthreads();
    const __half* a = current;
    const __half* b = current + tc::QUERIES * tc::LINE;
#pragma unroll
    for (int kk = 0; kk < tc::DEPTH; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa[4];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb[2];
#pragma unroll
      for (int i = 0; i < 4; i++) wmma::load_matrix_sync(fa[i], a + (warpQ + i * 16) * tc::LINE + kk, tc::LINE);
#pragma unroll
      for (int j = 0; j < 2; j++) wmma::load_matrix_sync(fb[j], b + (warpR + j * 16) * tc::LINE + kk, tc::LINE);
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
    }
    __syncthreads();  // every warp is done with this slice before it is loaded again
    if (s + 1 < slices) source.land(next + tc::QUERIES * tc::LINE);
  }

  // Each warp lays its 16 x 16 results out one at a time in its own part of the (now free)
  // stages and hands them to its lanes.
  float* laid = reinterpret_cast<float*>(stages) + warp * 256;
#pragma unroll
  for (int i = 0; i < 4; i++) {
#pragma unroll
    for (int j = 0; j < 2; j++) {
      wmma::store_matrix_sync(laid, acc[i][j], 16, wmma::mem_row_major);
      __syncwarp();
      for (int e = lane; e < 256; e += 32) {
        int query = q0 + warpQ + i * 16 + e / 16;
        long long row = row0 + warpR + j * 16 + e % 16;
        if (query >= q || row >= n) continue;
        float s = laid[e];
        if (scores != nullptr) {
          scores[query * ldScores + row] = s;
        } else if (s >= floors[query]) {
          int at = atomicAdd(counts + query, 1);
          if (at < capacity) {
            listScores[(long long)query * capacity + at] = s;
            listRows[(long long)query * capacity + at] = (int)row;
          }
        }
      }
      __syncwarp();
    }
  }
}

constexpr int MAX_K = 64;
constexpr int SELECT_THREADS = 256;

// The k best of one segment of one query's scores. Each thread keeps a sorted list of its own
// k best; the block then takes the overall best k in k rounds of a max-reduction, the winning
// thread advancing in its list. Indices are the inputs' (when given) or positions plus base.
__device__ void selectTopK(const float* __restrict__ in, const int* __restrict__ inIndex,
                           long long ldIn, long long count, long long segment, int k,
                           long long indexBase, float* __restrict__ outScore,
                           int* __restrict__ outIndex, long long ldOut) {
  const int q = blockIdx.y;
  const long long begin = blockIdx.x * segment;
  const long long end = min(count, begin + segment);
  const float* scores = in + q * ldIn;
  const int* indices = inIndex == nullptr ? nullptr : inIndex + q * ldIn;
  float best[MAX_K];
  int bestIndex[MAX_K];
  for (int i = 0; i < k; i++) {
    best[i] = -CUDART_INF_F;
    bestIndex[i] = -1;
  }
  for (long long p = begin + threadIdx.x; p < end; p += blockDim.x) {
    float s = scores[p];
    if (s > best[k - 1]) {
      int index = indices == nullptr ? (int)(indexBase + p) : indices[p];
      int i = k - 1;
      while (i > 0 && best[i - 1] < s) {
        best[i] = best[i - 1];
        bestIndex[i] = bestIndex[i - 1];
        i--;
      }
      best[i] = s;
      bestIndex[i] = index;
    }
  }
  __shared__ float warpBest[SELECT_THREADS / 32];
  __shared__ int warpOwner[SELECT_THREADS / 32];
  __shared__ int winner;
  int head = 0;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  float* out = outScore + q * ldOut + blockIdx.x * (long long)k;
  int* outI = outIndex + q * ldOut + blockIdx.x * (long long)k;
  for (int round = 0; round < k; round++) {
    float v = head < k ? best[head] : -CUDART_INF_F;
    int owner = threadIdx.x;
    for (int offset = 16; offset > 0; offset >>= 1) {
      float ov = __shfl_down_sync(0xffffffffu, v, offset);
      int oo = __shfl_down_sync(0xffffffffu, owner, offset);
      if (ov > v || (ov == v && oo < owner)) {
        v = ov;
        owner = oo;
      }
    }
    if (lane == 0) {
      warpBest[warp] = v;
      warpOwner[warp] = owner;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      float bv = warpBest[0];
      int bo = warpOwner[0];
      for (int w = 1; w < SELECT_THREADS / 32; w++) {
        if (warpBest[w] > bv || (warpBest[w] == bv && warpOwner[w] < bo)) {
          bv = warpBest[w];
          bo = warpOwner[w];
        }
      }
      winner = bo;
    }
    __syncthreads();
    if (threadIdx.x == winner) {
      out[round] = head < k ? best[head] : -CUDART_INF_F;
      outI[round] = head < k ? bestIndex[head] : -1;
      head++;
    }
    __syncthreads();
  }
}

}  // namespace

extern "C" {

__global__ void score_few_f32(const float* rows, long long n, int d, const float* queries, int q,
                              const float* rowNorms, const float* queryNorms, float* scores,
                              long long ldScores) {
  scoreFew(rows, n, d, queries, q, rowNorms, queryNorms, scores, ldScores);
}

__global__ void score_few_f16(const __half* rows, long long n, int d, const float* queries, int q,
                              const float* rowNorms, const float* queryNorms, float* scores,
                              long long ldScores) {
  scoreFew(rows, n, d, queries, q, rowNorms, queryNorms, scores, ldScores);
}

__global__ void __launch_bounds__(256) score_tiled_f32(const float* rows, long long n, int d,
    const float* queries, int q, const float* rowNorms, const float* queryNorms, float* scores,
    long long ldScores) {
  scoreTiled(rows, n, d, queries, q, rowNorms, queryNorms, scores, ldScores);
}

__global__ void __launch_bounds__(256) score_tiled_f16(const __half* rows, long long n, int d,
    const float* queries, int q, const float* rowNorms, const float* queryNorms, float* scores,
    long long ldScores) {
  scoreTiled(rows, n, d, queries, q, rowNorms, queryNorms, scores, ldScores);
}

// Inner products only. Grid (query tiles x row tiles) in one dimension, tc::THREADS threads;
// d % 8 == 0. With scores == nullptr the candidate lists are filled instead of the score matrix.
__global__ void __launch_bounds__(tc::THREADS) score_tensor_f16(const __half* rows, long long n,
    int d, const __half* queries, int q, float* scores, long long ldScores, const float* floors, int* counts, float* listScores,
    int* listRows, int capacity) {
  scoreTensor(HalfRows{rows}, n, d, queries, q, scores, ldScores, floors, counts, listScores,
              listRows, capacity);
}

__global__ void __launch_bounds__(tc::THREADS) score_tensor_f32(const float* rows, long long n,
    int d, const __half* queries, int q, float* scores, long long ldScores, const float* floors, int* counts, float* listScores,
    int* listRows, int capacity) {
  scoreTensor(FloatRows{rows}, n, d, queries, q, scores, ldScores, floors, counts, listScores,
              listRows, capacity);
}

// Grid (segments, queries), SELECT_THREADS threads; writes k results per segment at
// out + query * ldOut + segment * k.
__global__ void __launch_bounds__(SELECT_THREADS) select_top_k(const float* in, const int* inIndex,
    long long ldIn, long long count, long long segment, int k, long long indexBase,
    float* outScore, int* outIndex, long long ldOut) {
  selectTopK(in, inIndex, ldIn, count, segment, k, indexBase, outScore, outIndex, ldOut);
}


}  // extern "C"
