package io.rlhf4j.engine.rl;

/**
 * The RL kernels behind one interface, implemented on the CPU ({@link CpuRlKernels}, the
 * reference, over host {@code Tensor}s) and on CUDA ({@code io.rlhf4j.engine.cuda.CudaRlKernels},
 * over {@code DeviceBuffer}s, launching the PTX of rlhf4j-kernels). {@code B} is the array type.
 *
 * <p>Conventions shared by both: values are F32 unless stated; masks are F32 weights (1 on
 * response tokens, 0 on padding); a masked mean is {@code Σ x·m / max(Σ m, 1)} and a position
 * with {@code m = 0} contributes exactly 0 even if its inputs are not finite. Forward passes of
 * the masked losses return {@link Reduced#stats()}, an F32[3] {@code (mean, Σ m, Σ x·m)} that
 * the backward reads; {@code gradOut} is an F32[1] holding the upstream gradient of the mean.
 */
public interface RlKernels<B> {

    /** Per-row log-probabilities and the log-sum-exp the backward reuses, both F32 [rows]. */
    record LogProbs<B>(B logprob, B lse) {
    }

    /** GAE outputs, both F32 [batch, len]. */
    record Advantages<B>(B advantages, B returns) {
    }

    /** A masked mean: stats F32[3] = (mean, Σ m, Σ x·m), and per-token values (F32, or null if not asked for). */
    record Reduced<B>(B stats, B perToken) {
    }

    /**
     * The PPO clip range and the advantage layout.
     *
     * @param advLen 0 for per-token advantages, or the sequence length T for one advantage per sequence
     */
    record Clip(double epsLow, double epsHigh, int advLen) {

        public Clip {
            new PpoClipLoss(epsLow, epsHigh, advLen);  // validates the range
        }
    }

    /**
     * {@code logprob[r] = logits[r, t_r] − logsumexp(logits[r])} for logits [rows, V] (F32 or BF16)
     * and I32 targets [rows]; a target outside [0, V) (TRL's ignore index −100) gives 0.
     */
    LogProbs<B> logSoftmaxGather(B logits, B targets);

    /**
     * {@code grad_logits[r, j] = g[r]·(1{j = t_r} − exp(logits[r, j] − lse[r]))}, in the logits'
     * dtype; a row with an ignored target gets zeros.
     */
    B logSoftmaxGatherBackward(B logits, B targets, B lse, B gradLogprob);

    /** GAE over rewards, values, mask [batch, len], as {@link Gae}. */
    Advantages<B> gae(B rewards, B values, B mask, float gamma, float lambda);

    /** Masked mean of the KL estimator of {@code r = logp − ref}, as {@link KlEstimators}. */
    Reduced<B> kl(KlEstimators.Kind kind, B logp, B ref, B mask, boolean perToken);

    /** Gradient w.r.t. logp of {@code gradOut · kl mean}. */
    B klBackward(KlEstimators.Kind kind, B logp, B ref, B mask, B gradOut, B stats);

    /** GRPO advantages of rewards [numGroups·groupSize], as {@link GroupAdvantages}. */
    B groupAdvantages(B rewards, int groupSize, GroupAdvantages.Scale scale, float eps);

    /** Masked mean of the PPO clipped surrogate, as {@link PpoClipLoss}. */
    Reduced<B> ppoClip(Clip clip, B logp, B oldLogp, B adv, B mask, boolean perToken);

    /** Gradient w.r.t. logp of {@code gradOut · ppo loss}. */
    B ppoClipBackward(Clip clip, B logp, B oldLogp, B adv, B mask, B gradOut, B stats);

    /** {@code Σ x·m / max(Σ m, 1)}, as {@link MaskedMean}. */
    Reduced<B> maskedMean(B x, B mask);

    /** {@code grad_x = gradOut·m / max(Σ m, 1)}. */
    B maskedMeanBackward(B mask, B gradOut, B stats);
}
