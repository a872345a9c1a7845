package io.rlhf4j.engine.cuda;

import static io.rlhf4j.engine.cuda.ParamType.F32;
import static io.rlhf4j.engine.cuda.ParamType.I32;
import static io.rlhf4j.engine.cuda.ParamType.PTR;
import static io.rlhf4j.engine.cuda.ParamType.PTR_OR_NULL;

import java.util.List;

/**
 * The launch signatures of the RL kernels in {@code rlhf4j-kernels}, transcribed from the
 * {@code extern "C"} declarations of kernels/src/main/cuda/*.cu (argument order, nullable outputs,
 * block-size rules from each file's header). {@code PtxResourcesTest} checks them against the
 * committed PTX.
 */
public final class RlKernelCatalog {

    public static final KernelSignature LSG_FWD_F32 = lsgFwd("rl_log_softmax_gather_fwd_f32");
    public static final KernelSignature LSG_FWD_BF16 = lsgFwd("rl_log_softmax_gather_fwd_bf16");
    public static final KernelSignature LSG_BWD_F32 = lsgBwd("rl_log_softmax_gather_bwd_f32");
    public static final KernelSignature LSG_BWD_BF16 = lsgBwd("rl_log_softmax_gather_bwd_bf16");
    /** rewards, values, mask, advantages, returns, batch, len, gamma, lambda; block = 32 exactly. */
    public static final KernelSignature GAE = KernelSignature.of("gae", "rl_gae_f32",
            PTR, PTR, PTR, PTR, PTR, I32, I32, F32, F32).withFixedBlock(32);
    /** logp, logp_ref, mask, per_token (nullable), partials, n, kind. */
    public static final KernelSignature KL_FWD = KernelSignature.of("kl", "rl_kl_fwd_f32",
            PTR, PTR, PTR, PTR_OR_NULL, PTR, I32, I32);
    /** logp, logp_ref, mask, grad_out, stats, grad_logp, n, kind. */
    public static final KernelSignature KL_BWD = KernelSignature.of("kl", "rl_kl_bwd_f32",
            PTR, PTR, PTR, PTR, PTR, PTR, I32, I32);
    /** rewards, n, out; one block. */
    public static final KernelSignature REWARD_STD = KernelSignature.of("rl_losses", "rl_reward_std_f32",
            PTR, I32, PTR).asSingleBlock();
    /** rewards, batch_std (nullable unless scale = 2), advantages, num_groups, group_size, eps, scale. */
    public static final KernelSignature GRPO_ADVANTAGES = KernelSignature.of("rl_losses", "rl_grpo_advantages_f32",
            PTR, PTR_OR_NULL, PTR, I32, I32, F32, I32);
    /** logp, old_logp, adv, mask, per_token (nullable), partials, n, adv_len, eps_low, eps_high. */
    public static final KernelSignature PPO_FWD = KernelSignature.of("rl_losses", "rl_ppo_clip_fwd_f32",
            PTR, PTR, PTR, PTR, PTR_OR_NULL, PTR, I32, I32, F32, F32);
    /** logp, old_logp, adv, mask, grad_out, stats, grad_logp, n, adv_len, eps_low, eps_high. */
    public static final KernelSignature PPO_BWD = KernelSignature.of("rl_losses", "rl_ppo_clip_bwd_f32",
            PTR, PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, F32, F32);
    /** x, mask, partials, n. */
    public static final KernelSignature MASKED_SUM_PARTIALS = KernelSignature.of("reduce", "rl_masked_sum_partials_f32",
            PTR, PTR, PTR, I32);
    /** partials, num_partials, out[3] = (mean, Σ m, Σ x·m); one block. */
    public static final KernelSignature FINALIZE_MASKED_MEAN = KernelSignature.of("reduce", "rl_finalize_masked_mean_f32",
            PTR, I32, PTR).asSingleBlock();
    /** mask, grad_out, stats, grad_x, n. */
    public static final KernelSignature MASKED_MEAN_BWD = KernelSignature.of("reduce", "rl_masked_mean_bwd_f32",
            PTR, PTR, PTR, PTR, I32);

    public static final List<KernelSignature> ALL = List.of(LSG_FWD_F32, LSG_FWD_BF16, LSG_BWD_F32, LSG_BWD_BF16,
            GAE, KL_FWD, KL_BWD, REWARD_STD, GRPO_ADVANTAGES, PPO_FWD, PPO_BWD, MASKED_SUM_PARTIALS,
            FINALIZE_MASKED_MEAN, MASKED_MEAN_BWD);

    private RlKernelCatalog() {
    }

    /** logits, targets, logprob, lse, rows, v. */
    private static KernelSignature lsgFwd(String name) {
        return KernelSignature.of("log_softmax_gather", name, PTR, PTR, PTR, PTR, I32, I32);
    }

    /** logits, targets, lse, grad_logprob, grad_logits, rows, v. */
    private static KernelSignature lsgBwd(String name) {
        return KernelSignature.of("log_softmax_gather", name, PTR, PTR, PTR, PTR, PTR, I32, I32);
    }
}
