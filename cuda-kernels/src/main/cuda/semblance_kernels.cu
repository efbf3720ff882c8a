// Semblance gallery search kernels: scores of Q queries against N rows (inner product, or the
// negated squared L2 distance when row norms are given, so that higher is always better), and
// per-query top-k selection on the device so that only Q x k results travel back.
//
// Rows are row-major N x d, float32 or IEEE half; queries are row-major Q x d float32; scores
// are row-major Q x ldScores. Every kernel has C linkage for cuModuleGetFunction.

#include <cuda_fp16.h>
#include <math_constants.h>

namespace {

__device__ __forceinline__ float load(const float* p) { return __ldg(p); }
__device__ __forceinline__ float load(const __half* p) { return __half2float(__ldg(p)); }

// Four consecutive values (16 bytes of float32 or 8 of half) in one load; needs d % 4 == 0.
__device__ __forceinline__ float4 load4(const float* x, int group) {
  return __ldg(reinterpret_cast<const float4*>(x) + group);
}
__device__ __forceinline__ float4 load4(const __half* x, int group) {
  uint2 raw = __ldg(reinterpret_cast<const uint2*>(x) + group);
  float2 a = __half22float2(*reinterpret_cast<const __half2*>(&raw.x));
  float2 b = __half22float2(*reinterpret_cast<const __half2*>(&raw.y));
  return make_float4(a.x, a.y, b.x, b.y);
}

// The final score from an inner product: itself, or -(|q|^2 + |x|^2 - 2 q.x) for L2.
__device__ __forceinline__ float finish(float dot, const float* rowNorms, const float* queryNorms,
                                        long long row, int q) {
  return rowNorms == nullptr ? dot : 2.0f * dot - rowNorms[row] - queryNorms[q];
}

constexpr int SMALL_Q = 8;

// Few queries: memory-bound. One warp per row (grid-stride), each lane reading a strided part
// of the row once and multiplying it with up to SMALL_Q queries held in shared memory.
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
  for (long long row = warp; row < n; row += warps) {
    const T* x = rows + row * d;
    float acc[SMALL_Q];
#pragma unroll
    for (int j = 0; j < SMALL_Q; j++) acc[j] = 0.0f;
    if ((d & 3) == 0) {
      // Wide loads: a warp reads 512 (float) or 256 (half) contiguous bytes per step.
      for (int g = lane; g < d / 4; g += 32) {
        float4 v = load4(x, g);
#pragma unroll
        for (int j = 0; j < SMALL_Q; j++) {
          if (j < q) {
            float4 w = reinterpret_cast<const float4*>(shared + j * d)[g];
            acc[j] = fmaf(w.x, v.x, fmaf(w.y, v.y, fmaf(w.z, v.z, fmaf(w.w, v.w, acc[j]))));
          }
        }
      }
    } else {
      for (int i = lane; i < d; i += 32) {
        float v = load(x + i);
#pragma unroll
        for (int j = 0; j < SMALL_Q; j++) {
          if (j < q) acc[j] = fmaf(shared[j * d + i], v, acc[j]);
        }
      }
    }
#pragma unroll
    for (int j = 0; j < SMALL_Q; j++) {
      float s = acc[j];
      for (int offset = 16; offset > 0; offset >>= 1) s += __shfl_down_sync(0xffffffffu, s, offset);
      if (lane == 0 && j < q) scores[j * ldScores + row] = finish(s, rowNorms, queryNorms, row, j);
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

// Grid (segments, queries), SELECT_THREADS threads; writes k results per segment at
// out + query * ldOut + segment * k.
__global__ void __launch_bounds__(SELECT_THREADS) select_top_k(const float* in, const int* inIndex,
    long long ldIn, long long count, long long segment, int k, long long indexBase,
    float* outScore, int* outIndex, long long ldOut) {
  selectTopK(in, inIndex, ldIn, count, segment, k, indexBase, outScore, outIndex, ldOut);
}


}  // extern "C"
