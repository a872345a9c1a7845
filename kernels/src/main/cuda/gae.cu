// Generalised advantage estimation (GAE), the reverse scan of TRL's PPO loop.
//
// For each sequence b of [B, T] row-major rewards, values and mask (mask is 1 on response
// tokens, 0 on padding; any float weight is used as a multiplier):
//   v_t = values[b, t]·mask[b, t],  r_t = rewards[b, t]·mask[b, t]
//   next_t = v_{t+1} for t < T − 1, else 0
//   delta_t = r_t + γ·next_t − v_t
//   A_t = delta_t + γ·λ·A_{t+1}   (A_T = 0; the recursion runs through masked positions, as
//                                   TRL's `lastgaelam` does)
//   advantages[b, t] = A_t,  returns[b, t] = A_t + v_t
// This is TRL's PPOTrainer loss(): `values = values * mask; rewards = rewards * mask`, the
// `lastgaelam` loop, `returns = advantages + values`. Whitening of the advantages is a
// separate step.
//
// Layout choice: the inputs stay [B, T] (the layout every other tensor of the batch has) and
// the kernel transposes through shared memory. A block of 32 threads owns 32 sequences and walks
// T backwards in 32×32 tiles: tile row i is loaded by the whole warp from sequence b0 + i at
// t0 .. t0 + 31 (one 128-byte coalesced access), then thread `lane` scans its own sequence down
// the tile column, and the results go back out the same coalesced way. The tile is padded to
// 33 columns so the column walk is free of bank conflicts.
//
// Launch shape: grid = ceil(B / 32), blockDim = 32 (exactly), no dynamic shared memory
// (3 tiles of 32×33 floats = 12.4 KiB static). Any B and T (partial tiles are masked).
//
// Memory traffic: reads 3·B·T floats, writes 2·B·T floats, once each. The work is tiny next to
// the rest of a PPO step; the kernel exists to keep the batch on the device.
#include "rl_common.cuh"

namespace gae {

constexpr int kTile = 32;
constexpr int kPad = kTile + 1;

}  // namespace gae

extern "C" __global__ void rl_gae_f32(const float* __restrict__ rewards,
                                      const float* __restrict__ values,
                                      const float* __restrict__ mask,
                                      float* __restrict__ advantages,
                                      float* __restrict__ returns, int batch, int len, float gamma,
                                      float lambda) {
    using gae::kPad;
    using gae::kTile;
    __shared__ float tr[kTile][kPad];  // rewards·mask in, advantages out
    __shared__ float tv[kTile][kPad];  // values·mask
    __shared__ float tret[kTile][kPad];  // returns out
    const int lane = threadIdx.x;
    const int b0 = blockIdx.x * kTile;
    const int rows = min(kTile, batch - b0);
    const float gl = gamma * lambda;
    float last_adv = 0.0f;    // A_{t+1} of this thread's sequence
    float next_value = 0.0f;  // v_{t+1}: 0 past the end
    const int last_tile = (len - 1) / kTile;
    for (int tile = last_tile; tile >= 0; tile--) {
        const int t0 = tile * kTile;
        const int cols = min(kTile, len - t0);
        __syncthreads();  // the previous tile's stores have read the shared tiles
        for (int i = 0; i < rows; i++) {
            if (lane < cols) {
                const size_t at = static_cast<size_t>(b0 + i) * len + t0 + lane;
                const float m = mask[at];
                tr[i][lane] = rewards[at] * m;
                tv[i][lane] = values[at] * m;
            }
        }
        __syncthreads();
        if (lane < rows) {
            for (int c = cols - 1; c >= 0; c--) {
                const float v = tv[lane][c];
                const float delta = tr[lane][c] + gamma * next_value - v;
                last_adv = delta + gl * last_adv;
                next_value = v;
                tr[lane][c] = last_adv;
                tret[lane][c] = last_adv + v;
            }
        }
        __syncthreads();
        for (int i = 0; i < rows; i++) {
            if (lane < cols) {
                const size_t at = static_cast<size_t>(b0 + i) * len + t0 + lane;
                advantages[at] = tr[i][lane];
                returns[at] = tret[i][lane];
            }
        }
    }
}
