// Shared device helpers for the rlhf4j kernels (header only, included by the .cu files).
//
// Determinism: every reduction here is a fixed tree (warp shuffles, then warp 0 over the
// per-warp results), so for a fixed launch shape the result is bitwise identical run to run.
// Cross-block results go through per-block partials that a single block folds in index order
// (reduce.cu: rl_finalize_masked_mean_f32); no floating-point atomics anywhere.
#pragma once

#include <cuda_bf16.h>
#include <math_constants.h>

namespace rl {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, off);
    }
    return v;
}

// Sum over the block; blockDim.x must be a multiple of 32 and at most 1024. Every thread gets
// the result. `scratch` needs 32 floats of shared memory.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0f;
    return warp_sum(v);
}

// Online log-sum-exp state in the log2 domain: the values seen are t_i = x_i·log2(e), m is
// their running max and s = Σ 2^(t_i − m). The empty state is (−inf, 0).
struct Lse2 {
    float m;
    float s;
};

__device__ __forceinline__ Lse2 lse2_combine(Lse2 a, Lse2 b) {
    const float m = fmaxf(a.m, b.m);
    if (m == -CUDART_INF_F) {
        return Lse2{m, 0.0f};  // both empty: avoid (−inf) − (−inf)
    }
    return Lse2{m, a.s * exp2f(a.m - m) + b.s * exp2f(b.m - m)};
}

__device__ __forceinline__ Lse2 warp_lse2(Lse2 v) {
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
        Lse2 o{__shfl_xor_sync(0xffffffffu, v.m, off), __shfl_xor_sync(0xffffffffu, v.s, off)};
        v = lse2_combine(v, o);
    }
    return v;
}

// Block-wide online LSE; every thread gets the result. `scratch` needs 64 floats.
__device__ __forceinline__ Lse2 block_lse2(Lse2 v, float* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    v = warp_lse2(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v.m;
        scratch[32 + warp] = v.s;
    }
    __syncthreads();
    v = lane < warps ? Lse2{scratch[lane], scratch[32 + lane]} : Lse2{-CUDART_INF_F, 0.0f};
    return warp_lse2(v);
}

// Writes this block's (Σ m·x, Σ m) pair: the partials format rl_finalize_masked_mean_f32 folds.
__device__ __forceinline__ void store_block_partials(float sum, float count, float* partials,
                                                     float* scratch) {
    sum = block_sum(sum, scratch);
    count = block_sum(count, scratch);
    if (threadIdx.x == 0) {
        partials[2 * blockIdx.x] = sum;
        partials[2 * blockIdx.x + 1] = count;
    }
}

// Denominator of a masked mean: Σ mask clamped to at least 1, as TRL's
// `(x * mask).sum() / mask.sum().clamp(min=1.0)`, so an all-masked batch gives 0, not NaN.
__device__ __forceinline__ float mean_denominator(float count) {
    return fmaxf(count, 1.0f);
}

}  // namespace rl
