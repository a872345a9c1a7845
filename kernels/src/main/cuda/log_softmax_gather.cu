// Fused log-softmax + gather over large vocabularies, forward and backward.
//
// Computes, for each row r of logits [rows, V] (V up to 256K and beyond) and target id t_r:
//   lse[r]     = log Σ_j exp(logits[r, j])
//   logprob[r] = logits[r, t_r] − lse[r]
// and the gradient of Σ_r g[r]·logprob[r] with respect to the logits:
//   grad_logits[r, j] = g[r]·(1{j = t_r} − exp(logits[r, j] − lse[r]))
// The probabilities are never stored: the forward keeps an online log-sum-exp (running max
// and rescaled sum, in the log2 domain so every exponential is one exp2f), and the backward
// recomputes exp(logit − lse) on the fly from the saved lse. A target outside [0, V) (for
// example TRL's ignore index −100) gives logprob 0 and a zero gradient row.
//
// Dtypes: logits F32 or BF16 (math in F32); lse, logprob and g are F32; grad_logits has the
// dtype of the logits. Targets are int32.
//
// Launch shape: one block per row (grid-stride over rows if the grid is smaller), blockDim a
// multiple of 32 up to 1024 (512 recommended), no dynamic shared memory (64 floats static).
// Loads and stores are 128-bit (float4 / 8×bf16) on the 16-byte-aligned body of each row, with
// scalar head and tail elements; if logits and grad_logits differ in alignment mod 16 the
// backward uses scalar accesses for that row.
//
// Memory traffic per row: forward reads V·sizeof(T) + 4 bytes, writes 8 bytes; backward reads
// V·sizeof(T) + 12 bytes and writes V·sizeof(T). Both are bandwidth-bound.
#include "rl_common.cuh"

// A named namespace, not an anonymous one: nvcc mangles anonymous-namespace symbols with a hash
// of the source's absolute path, which would make the PTX depend on where the checkout lives.
namespace lsg {

constexpr int kVecBytes = 16;

__device__ __forceinline__ float to_f32(float x) { return x; }
__device__ __forceinline__ float to_f32(__nv_bfloat16 x) { return __bfloat162float(x); }

// 16 bytes of logits widened to F32: 4 floats or 8 bf16.
template <typename T>
struct Vec;

template <>
struct Vec<float> {
    static constexpr int N = 4;
    __device__ __forceinline__ static void load(const float* p, float* out) {
        const float4 v = *reinterpret_cast<const float4*>(p);
        out[0] = v.x;
        out[1] = v.y;
        out[2] = v.z;
        out[3] = v.w;
    }
    __device__ __forceinline__ static void store(float* p, const float* in) {
        *reinterpret_cast<float4*>(p) = make_float4(in[0], in[1], in[2], in[3]);
    }
    __device__ __forceinline__ static void store_one(float* p, float v) { *p = v; }
};

template <>
struct Vec<__nv_bfloat16> {
    static constexpr int N = 8;
    __device__ __forceinline__ static void load(const __nv_bfloat16* p, float* out) {
        const uint4 raw = *reinterpret_cast<const uint4*>(p);
        const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
        for (int k = 0; k < 4; k++) {
            const float2 f = __bfloat1622float2(h[k]);
            out[2 * k] = f.x;
            out[2 * k + 1] = f.y;
        }
    }
    __device__ __forceinline__ static void store(__nv_bfloat16* p, const float* in) {
        uint4 raw;
        __nv_bfloat162* h = reinterpret_cast<__nv_bfloat162*>(&raw);
#pragma unroll
        for (int k = 0; k < 4; k++) {
            h[k] = __floats2bfloat162_rn(in[2 * k], in[2 * k + 1]);
        }
        *reinterpret_cast<uint4*>(p) = raw;
    }
    __device__ __forceinline__ static void store_one(__nv_bfloat16* p, float v) {
        *p = __float2bfloat16_rn(v);
    }
};

// Elements before the first 16-byte boundary of the row (the whole row if that is shorter).
template <typename T>
__device__ __forceinline__ int aligned_head(const T* row, int v) {
    const unsigned mis = static_cast<unsigned>(reinterpret_cast<size_t>(row) & (kVecBytes - 1));
    const int head = static_cast<int>(((kVecBytes - mis) & (kVecBytes - 1)) / sizeof(T));
    return head < v ? head : v;
}

// Folds values t (already multiplied by log2 e) into the thread's online LSE state.
template <int N>
__device__ __forceinline__ void lse2_add(rl::Lse2& st, const float* t) {
    float lm = t[0];
#pragma unroll
    for (int k = 1; k < N; k++) {
        lm = fmaxf(lm, t[k]);
    }
    if (lm == -CUDART_INF_F) {
        return;  // every value is −inf: nothing to add (and no −inf − −inf)
    }
    const float m = fmaxf(st.m, lm);
    float s = st.s * exp2f(st.m - m);
#pragma unroll
    for (int k = 0; k < N; k++) {
        s += exp2f(t[k] - m);
    }
    st.m = m;
    st.s = s;
}

template <typename T>
__device__ void fwd(const T* __restrict__ logits, const int* __restrict__ targets,
                    float* __restrict__ logprob, float* __restrict__ lse, int rows, int v) {
    __shared__ float scratch[64];
    using V = Vec<T>;
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* row = logits + static_cast<size_t>(r) * v;
        const int head = aligned_head(row, v);
        const int nvec = (v - head) / V::N;
        const int tail = head + nvec * V::N;
        rl::Lse2 st{-CUDART_INF_F, 0.0f};
        for (int j = threadIdx.x; j < head; j += blockDim.x) {
            const float t = to_f32(row[j]) * rl::kLog2e;
            lse2_add<1>(st, &t);
        }
        for (int q = threadIdx.x; q < nvec; q += blockDim.x) {
            float t[V::N];
            V::load(row + head + q * V::N, t);
#pragma unroll
            for (int k = 0; k < V::N; k++) {
                t[k] *= rl::kLog2e;
            }
            lse2_add<V::N>(st, t);
        }
        for (int j = tail + threadIdx.x; j < v; j += blockDim.x) {
            const float t = to_f32(row[j]) * rl::kLog2e;
            lse2_add<1>(st, &t);
        }
        st = rl::block_lse2(st, scratch);
        if (threadIdx.x == 0) {
            const float row_lse = (st.m + log2f(st.s)) * rl::kLn2;
            const int tgt = targets[r];
            lse[r] = row_lse;
            logprob[r] = (tgt >= 0 && tgt < v) ? to_f32(row[tgt]) - row_lse : 0.0f;
        }
    }
}

template <typename T>
__device__ void bwd(const T* __restrict__ logits, const int* __restrict__ targets,
                    const float* __restrict__ lse, const float* __restrict__ grad_logprob,
                    T* __restrict__ grad_logits, int rows, int v) {
    using V = Vec<T>;
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const size_t base = static_cast<size_t>(r) * v;
        const T* row = logits + base;
        T* out = grad_logits + base;
        const int tgt = targets[r];
        const bool active = tgt >= 0 && tgt < v;
        const float g = active ? grad_logprob[r] : 0.0f;
        // exp(x − lse) = 2^(x·log2 e − lse·log2 e); an ignored row multiplies by g = 0, but
        // a −inf lse must not turn that into NaN, so the row is zeroed explicitly.
        const float lse2 = lse[r] * rl::kLog2e;
        const bool same_alignment =
            ((reinterpret_cast<size_t>(row) ^ reinterpret_cast<size_t>(out)) & (kVecBytes - 1)) == 0;
        const int head = same_alignment ? aligned_head(row, v) : v;
        const int nvec = (v - head) / V::N;
        const int tail = head + nvec * V::N;
        for (int j = threadIdx.x; j < head; j += blockDim.x) {
            const float p = exp2f(fmaf(to_f32(row[j]), rl::kLog2e, -lse2));
            V::store_one(out + j, active ? g * ((j == tgt ? 1.0f : 0.0f) - p) : 0.0f);
        }
        for (int q = threadIdx.x; q < nvec; q += blockDim.x) {
            const int j0 = head + q * V::N;
            float x[V::N];
            V::load(row + j0, x);
#pragma unroll
            for (int k = 0; k < V::N; k++) {
                const float p = exp2f(fmaf(x[k], rl::kLog2e, -lse2));
                x[k] = active ? g * ((j0 + k == tgt ? 1.0f : 0.0f) - p) : 0.0f;
            }
            V::store(out + j0, x);
        }
        for (int j = tail + threadIdx.x; j < v; j += blockDim.x) {
            const float p = exp2f(fmaf(to_f32(row[j]), rl::kLog2e, -lse2));
            V::store_one(out + j, active ? g * ((j == tgt ? 1.0f : 0.0f) - p) : 0.0f);
        }
    }
}

}  // namespace lsg

extern "C" __global__ void rl_log_softmax_gather_fwd_f32(const float* __restrict__ logits,
                                                         const int* __restrict__ targets,
                                                         float* __restrict__ logprob,
                                                         float* __restrict__ lse, int rows, int v) {
    lsg::fwd(logits, targets, logprob, lse, rows, v);
}

extern "C" __global__ void rl_log_softmax_gather_fwd_bf16(const __nv_bfloat16* __restrict__ logits,
                                                          const int* __restrict__ targets,
                                                          float* __restrict__ logprob,
                                                          float* __restrict__ lse, int rows, int v) {
    lsg::fwd(logits, targets, logprob, lse, rows, v);
}

extern "C" __global__ void rl_log_softmax_gather_bwd_f32(const float* __restrict__ logits,
                                                         const int* __restrict__ targets,
                                                         const float* __restrict__ lse,
                                                         const float* __restrict__ grad_logprob,
                                                         float* __restrict__ grad_logits, int rows,
                                                         int v) {
    lsg::bwd(logits, targets, lse, grad_logprob, grad_logits, rows, v);
}

extern "C" __global__ void rl_log_softmax_gather_bwd_bf16(const __nv_bfloat16* __restrict__ logits,
                                                          const int* __restrict__ targets,
                                                          const float* __restrict__ lse,
                                                          const float* __restrict__ grad_logprob,
                                                          __nv_bfloat16* __restrict__ grad_logits,
                                                          int rows, int v) {
    lsg::bwd(logits, targets, lse, grad_logprob, grad_logits, rows, v);
}
