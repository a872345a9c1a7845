// Masked reductions the RL losses are built from, deterministic (no floating-point atomics).
//
//   masked mean:  mean = Σ_i x_i·m_i / max(Σ_i m_i, 1)
// (TRL's `(x * mask).sum() / mask.sum().clamp(min=1.0)`), done in two launches:
//   1. rl_masked_sum_partials_f32: each block folds a fixed grid-stride slice of x and m and
//      writes its pair (Σ x·m, Σ m) to partials[2·block], partials[2·block + 1].
//   2. rl_finalize_masked_mean_f32: one block folds the partials in index order and writes
//      out[0] = mean, out[1] = Σ m (kept for the backward), out[2] = Σ x·m.
// The KL and PPO loss kernels write the same partials format, so they share step 2.
// Backward of the mean: rl_masked_mean_bwd_f32, grad_x_i = g·m_i / max(Σ m, 1), reading g and
// Σ m from device memory so no host round trip is needed.
//
// Launch shapes: partials kernel: any grid G (e.g. min(ceil(n / blockDim), 1024)), blockDim a
// multiple of 32 up to 1024; the partials buffer holds 2·G floats and the result depends on
// (G, blockDim) only through summation order, so fix both for reproducible numbers. Finalize:
// grid 1, blockDim a multiple of 32 up to 1024. Backward: any grid, grid-stride.
//
// Memory traffic: the partials pass reads 8 bytes per element (x and m); finalize reads 8·G
// bytes; the backward reads 4 and writes 4 bytes per element.
#include "rl_common.cuh"

extern "C" __global__ void rl_masked_sum_partials_f32(const float* __restrict__ x,
                                                      const float* __restrict__ mask,
                                                      float* __restrict__ partials, int n) {
    __shared__ float scratch[32];
    float sum = 0.0f;
    float count = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float m = mask[i];
        if (m != 0.0f) {  // padding may hold non-finite values: 0·inf must not become NaN
            sum += x[i] * m;
            count += m;
        }
    }
    rl::store_block_partials(sum, count, partials, scratch);
}

extern "C" __global__ void rl_finalize_masked_mean_f32(const float* __restrict__ partials,
                                                       int num_partials, float* __restrict__ out) {
    __shared__ float scratch[32];
    float sum = 0.0f;
    float count = 0.0f;
    for (int i = threadIdx.x; i < num_partials; i += blockDim.x) {
        sum += partials[2 * i];
        count += partials[2 * i + 1];
    }
    sum = rl::block_sum(sum, scratch);
    count = rl::block_sum(count, scratch);
    if (threadIdx.x == 0) {
        out[0] = sum / rl::mean_denominator(count);
        out[1] = count;
        out[2] = sum;
    }
}

// grad_out: the upstream gradient of the mean (1 float); stats: the finalize output.
extern "C" __global__ void rl_masked_mean_bwd_f32(const float* __restrict__ mask,
                                                  const float* __restrict__ grad_out,
                                                  const float* __restrict__ stats,
                                                  float* __restrict__ grad_x, int n) {
    const float scale = grad_out[0] / rl::mean_denominator(stats[1]);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        grad_x[i] = mask[i] * scale;
    }
}
