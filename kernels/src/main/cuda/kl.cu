// Per-token KL estimators between the policy and the reference model, with a fused masked mean
// and its gradient with respect to the policy log-probabilities.
//
// With r = logp − logp_ref (the log ratio log π/π_ref at the sampled token), Schulman,
// "Approximating KL Divergence" (2020):
//   kind 1: k1 = r                      dk1/dlogp = 1
//   kind 2: k2 = ½·r²                   dk2/dlogp = r
//   kind 3: k3 = exp(−r) − 1 + r        dk3/dlogp = 1 − exp(−r)
// k3 is TRL GRPO's `per_token_kl = exp(ref − logp) − (ref − logp) − 1` (same value, written
// with ref − logp = −r). The reduction is the masked mean Σ k·m / max(Σ m, 1); a position with
// m = 0 contributes exactly 0 (value and gradient) even if its inputs are not finite (padding).
//
// rl_kl_fwd_f32 writes the per-token values (if per_token is not null) and the block partials
// (Σ k·m, Σ m) that reduce.cu's rl_finalize_masked_mean_f32 folds into [mean, Σ m, Σ k·m].
// rl_kl_bwd_f32 writes grad_logp_i = g·m_i·k'(r_i) / max(Σ m, 1), reading g (the upstream
// gradient of the mean) and the finalize output from device memory.
//
// Launch shape: grid-stride, any grid G (the forward needs a partials buffer of 2·G floats; a
// fixed (G, blockDim) gives bitwise-reproducible sums), blockDim a multiple of 32 up to 1024.
// Memory traffic: forward reads 12 bytes per token (logp, ref, mask) and writes 4 if per_token
// is requested; backward reads 12 and writes 4 bytes per token.
#include "rl_common.cuh"

namespace kl {

__device__ __forceinline__ float value(int kind, float r) {
    switch (kind) {
        case 1:
            return r;
        case 2:
            return 0.5f * r * r;
        default:
            // expm1 keeps k3 accurate (and ≥ 0) when r is small: exp(−r) − 1 + r
            return expm1f(-r) + r;
    }
}

__device__ __forceinline__ float derivative(int kind, float r) {
    switch (kind) {
        case 1:
            return 1.0f;
        case 2:
            return r;
        default:
            return -expm1f(-r);  // 1 − exp(−r)
    }
}

}  // namespace kl

extern "C" __global__ void rl_kl_fwd_f32(const float* __restrict__ logp,
                                         const float* __restrict__ logp_ref,
                                         const float* __restrict__ mask,
                                         float* __restrict__ per_token,
                                         float* __restrict__ partials, int n, int kind) {
    __shared__ float scratch[32];
    float sum = 0.0f;
    float count = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float k = kl::value(kind, logp[i] - logp_ref[i]);
        const float m = mask[i];
        if (per_token != nullptr) {
            per_token[i] = k;
        }
        if (m != 0.0f) {  // padding may hold non-finite logprobs: 0·inf must not become NaN
            sum += k * m;
            count += m;
        }
    }
    rl::store_block_partials(sum, count, partials, scratch);
}

// grad_out: upstream gradient of the mean (1 float); stats: rl_finalize_masked_mean_f32's output.
extern "C" __global__ void rl_kl_bwd_f32(const float* __restrict__ logp,
                                         const float* __restrict__ logp_ref,
                                         const float* __restrict__ mask,
                                         const float* __restrict__ grad_out,
                                         const float* __restrict__ stats,
                                         float* __restrict__ grad_logp, int n, int kind) {
    const float scale = grad_out[0] / rl::mean_denominator(stats[1]);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float m = mask[i];
        grad_logp[i] = m != 0.0f ? m * scale * kl::derivative(kind, logp[i] - logp_ref[i]) : 0.0f;
    }
}
