// Policy-gradient pieces of GRPO and PPO: group-normalised advantages and the clipped
// surrogate loss with its gradient.
//
// GRPO advantages (TRL GRPOTrainer, rewards laid out [num_groups, group_size], one group per
// prompt):
//   mean_g = mean of the group,  A_i = r_i − mean_g
//   scale 1 ("group"): A_i /= (std_g + eps), std_g the unbiased (n − 1) std of the group
//   scale 2 ("batch"): A_i /= (std + eps),   std the unbiased std of all rewards
//   scale 0 ("none"):  A_i unchanged
// TRL uses eps = 1e-4 and defines the std of a single sample as 0 (not torch's NaN).
// rl_grpo_advantages_f32: one warp per group (8 groups per 256-thread block), two passes over
// the group in registers (mean, then Σ (r − mean)²). For scale 2, rl_reward_std_f32 (one
// block) first writes the batch std to a device scalar. Traffic: read and write 4 bytes per
// reward; the groups are tiny, these kernels only keep the step on the device.
//
// PPO clipped surrogate (per token, ratio = exp(logp − old_logp)):
//   loss_i = max(−A_i·ratio, −A_i·clip(ratio, 1 − eps_low, 1 + eps_high))
//   d loss_i / d logp_i = 0 where the clipped branch is active — A_i > 0 and
//   ratio > 1 + eps_high, or A_i < 0 and ratio < 1 − eps_low — and −A_i·ratio elsewhere.
// The reduction is the masked mean Σ loss·m / max(Σ m, 1) (positions with m = 0 contribute
// exactly 0). A_i is per token (adv_len = 0, PPO) or per sequence (adv_len = T > 0: A of token
// i is adv[i / T], GRPO's advantages.unsqueeze(1)). rl_ppo_clip_fwd_f32 writes optional
// per-token losses and the block partials for reduce.cu's rl_finalize_masked_mean_f32;
// rl_ppo_clip_bwd_f32 writes grad_logp from the upstream gradient and the finalize output.
// Launch shape: grid-stride, any grid G (2·G floats of partials), blockDim a multiple of 32 up
// to 1024. Traffic: forward reads 16 bytes per token, backward reads 16 and writes 4.
#include "rl_common.cuh"

namespace rll {

constexpr int kScaleNone = 0;
constexpr int kScaleGroup = 1;
constexpr int kScaleBatch = 2;

__device__ __forceinline__ float advantage(const float* adv, int i, int adv_len) {
    return adv[adv_len > 0 ? i / adv_len : i];
}

}  // namespace rll

// Unbiased std of rewards[0 .. n) into out[0] (0 when n < 2). Launch: grid 1, blockDim a
// multiple of 32 up to 1024.
extern "C" __global__ void rl_reward_std_f32(const float* __restrict__ rewards, int n,
                                             float* __restrict__ out) {
    __shared__ float scratch[32];
    float s = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        s += rewards[i];
    }
    const float mean = rl::block_sum(s, scratch) / static_cast<float>(n);
    float q = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        const float d = rewards[i] - mean;
        q += d * d;
    }
    q = rl::block_sum(q, scratch);
    if (threadIdx.x == 0) {
        out[0] = n > 1 ? sqrtf(q / static_cast<float>(n - 1)) : 0.0f;
    }
}

// batch_std: device scalar from rl_reward_std_f32, read only when scale = 2 (may be null
// otherwise). Launch: blockDim a multiple of 32, grid = ceil(num_groups / (blockDim / 32)).
extern "C" __global__ void rl_grpo_advantages_f32(const float* __restrict__ rewards,
                                                  const float* __restrict__ batch_std,
                                                  float* __restrict__ advantages, int num_groups,
                                                  int group_size, float eps, int scale) {
    const int lane = threadIdx.x & 31;
    const int group = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (group >= num_groups) {
        return;  // whole warps leave together: the shuffles below stay converged
    }
    const float* r = rewards + static_cast<size_t>(group) * group_size;
    float* a = advantages + static_cast<size_t>(group) * group_size;
    float s = 0.0f;
    for (int j = lane; j < group_size; j += 32) {
        s += r[j];
    }
    const float mean = rl::warp_sum(s) / static_cast<float>(group_size);
    float denom = 1.0f;
    if (scale == rll::kScaleGroup) {
        float q = 0.0f;
        for (int j = lane; j < group_size; j += 32) {
            const float d = r[j] - mean;
            q += d * d;
        }
        q = rl::warp_sum(q);
        const float sd = group_size > 1 ? sqrtf(q / static_cast<float>(group_size - 1)) : 0.0f;
        denom = sd + eps;
    } else if (scale == rll::kScaleBatch) {
        denom = batch_std[0] + eps;
    }
    for (int j = lane; j < group_size; j += 32) {
        const float d = r[j] - mean;
        a[j] = scale == rll::kScaleNone ? d : d / denom;
    }
}

extern "C" __global__ void rl_ppo_clip_fwd_f32(const float* __restrict__ logp,
                                               const float* __restrict__ old_logp,
                                               const float* __restrict__ adv,
                                               const float* __restrict__ mask,
                                               float* __restrict__ per_token,
                                               float* __restrict__ partials, int n, int adv_len,
                                               float eps_low, float eps_high) {
    __shared__ float scratch[32];
    float sum = 0.0f;
    float count = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float a = rll::advantage(adv, i, adv_len);
        const float ratio = expf(logp[i] - old_logp[i]);
        const float clipped = fminf(fmaxf(ratio, 1.0f - eps_low), 1.0f + eps_high);
        const float loss = fmaxf(-a * ratio, -a * clipped);
        const float m = mask[i];
        if (per_token != nullptr) {
            per_token[i] = loss;
        }
        if (m != 0.0f) {
            sum += loss * m;
            count += m;
        }
    }
    rl::store_block_partials(sum, count, partials, scratch);
}

extern "C" __global__ void rl_ppo_clip_bwd_f32(const float* __restrict__ logp,
                                               const float* __restrict__ old_logp,
                                               const float* __restrict__ adv,
                                               const float* __restrict__ mask,
                                               const float* __restrict__ grad_out,
                                               const float* __restrict__ stats,
                                               float* __restrict__ grad_logp, int n, int adv_len,
                                               float eps_low, float eps_high) {
    const float scale = grad_out[0] / rl::mean_denominator(stats[1]);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float m = mask[i];
        float g = 0.0f;
        if (m != 0.0f) {
            const float a = rll::advantage(adv, i, adv_len);
            const float ratio = expf(logp[i] - old_logp[i]);
            const bool clipped = (a > 0.0f && ratio > 1.0f + eps_high) ||
                                 (a < 0.0f && ratio < 1.0f - eps_low);
            g = clipped ? 0.0f : -a * ratio * m * scale;
        }
        grad_logp[i] = g;
    }
}
