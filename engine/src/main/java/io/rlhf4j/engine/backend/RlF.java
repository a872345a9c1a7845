package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.ops.fused.LogSoftmaxGather;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import java.util.Arrays;

/**
 * The RL functions the trainers call, on whichever device their inputs are on: each picks the
 * {@link Backend} of the inputs' one device ({@link Devices#common}: mixed devices are an error
 * naming both) and records one autograd node whose backward calls the same backend's backward
 * kernel. The losses are masked means (TRL's {@code (x·mask).sum() / mask.sum().clamp(min=1)}),
 * returned as rank-0 F32 tensors on the inputs' device; they differentiate with respect to their
 * first argument only (the reference, old log-probabilities, advantages and mask are constants:
 * passing one that requires a gradient is an error rather than a silently dropped gradient).
 * GAE and group advantages are not differentiable: plain backend calls. Gradients come back in the
 * first argument's dtype (on CUDA that is F32 throughout).
 */
public final class RlF {

    private RlF() {
    }

    /**
     * log softmax(logits)[ids] for logits [..., V] and ids [...]. On the CPU this is exactly
     * {@link LogSoftmaxGather} (F32, BF16 or F64 logits; any integer ids; an id outside [0, V) is an
     * error). On CUDA the logits are F32 or BF16 and contiguous, the ids I32, and an id outside
     * [0, V) gives 0 with a zero gradient (no range check on the device); result F32.
     */
    public static Tensor logSoftmaxGather(Tensor logits, Tensor ids) {
        Device device = Devices.common("logits, ids", logits, ids);
        if (device.kind() == Device.Kind.CPU) {
            return LogSoftmaxGather.apply(logits, ids);
        }
        int[] shape = logits.shape();
        int[] lead = Arrays.copyOf(shape, Math.max(shape.length - 1, 0));
        if (shape.length == 0 || !Arrays.equals(lead, ids.shape())) {
            throw new IllegalArgumentException("ids must have the logits' shape without the vocabulary dimension, "
                    + Arrays.toString(lead) + ", got " + Arrays.toString(ids.shape()));
        }
        Backend b = Backend.of(device);
        int vocab = shape[shape.length - 1];
        int rows = Math.toIntExact(ids.numel());
        Tensor flat = logits.detach().reshape(rows, vocab);
        Tensor targets = ids.detach().reshape(rows);
        RlKernels.LogProbs<Tensor> r;
        try (var g = Grad.disabled()) {
            r = b.logSoftmaxGather(flat, targets);
        }
        Tensor lse = r.lse();
        Tensor out = r.logprob().reshape(ids.shape());
        return Autograd.record(out, "log_softmax_gather", g -> new Tensor[] {
            b.logSoftmaxGatherBackward(flat, targets, lse, on(g, device).reshape(rows)).reshape(shape), null},
            logits, ids);
    }

    /** Masked mean of the KL estimator {@code kind} of {@code logp − ref} (see {@link KlEstimators}). */
    public static Tensor klMean(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask) {
        Device device = Devices.common("logp, ref, mask", logp, ref, mask);
        constants("klMean", "ref, mask", ref, mask);
        Backend b = Backend.of(device);
        Tensor x = logp.detach();
        Tensor stats;
        try (var g = Grad.disabled()) {
            stats = b.kl(kind, x, ref, mask, false).stats();
        }
        return Autograd.record(mean(stats), "kl_masked_mean", g -> new Tensor[] {
            b.klBackward(kind, x, ref, mask, scalar(g, device), stats).to(x.dtype()), null, null}, logp, ref, mask);
    }

    /**
     * Masked mean of the PPO clipped surrogate {@code max(−A·ρ, −A·clip(ρ, 1−εlow, 1+εhigh))},
     * {@code ρ = exp(logp − oldLogp)}, with per-token advantages or one per sequence
     * ({@link RlKernels.Clip#advLen()}).
     */
    public static Tensor ppoClipMean(RlKernels.Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask) {
        Device device = Devices.common("logp, oldLogp, adv, mask", logp, oldLogp, adv, mask);
        constants("ppoClipMean", "oldLogp, adv, mask", oldLogp, adv, mask);
        Backend b = Backend.of(device);
        Tensor x = logp.detach();
        Tensor stats;
        try (var g = Grad.disabled()) {
            stats = b.ppoClip(clip, x, oldLogp, adv, mask, false).stats();
        }
        return Autograd.record(mean(stats), "ppo_clip_masked_mean", g -> new Tensor[] {
            b.ppoClipBackward(clip, x, oldLogp, adv, mask, scalar(g, device), stats).to(x.dtype()), null, null,
            null},
            logp, oldLogp, adv, mask);
    }

    /** {@code Σ x·m / max(Σ m, 1)}; a position with {@code m = 0} contributes 0 even if x is not finite. */
    public static Tensor maskedMean(Tensor x, Tensor mask) {
        Device device = Devices.common("x, mask", x, mask);
        constants("maskedMean", "mask", mask);
        Backend b = Backend.of(device);
        Tensor stats;
        try (var g = Grad.disabled()) {
            stats = b.maskedMean(x.detach(), mask).stats();
        }
        return Autograd.record(mean(stats), "masked_mean", g -> new Tensor[] {
            b.maskedMeanBackward(mask, scalar(g, device), stats).reshape(x.shape()).to(x.dtype()), null}, x, mask);
    }

    /** GAE over rewards, values, mask [batch, len] (not differentiable). */
    public static RlKernels.Advantages<Tensor> gae(Tensor rewards, Tensor values, Tensor mask, float gamma,
                                                   float lambda) {
        Device device = Devices.common("rewards, values, mask", rewards, values, mask);
        try (var g = Grad.disabled()) {
            return Backend.of(device).gae(rewards.detach(), values.detach(), mask, gamma, lambda);
        }
    }

    /** GRPO advantages of rewards [numGroups·groupSize] (not differentiable). */
    public static Tensor groupAdvantages(Tensor rewards, int groupSize, GroupAdvantages.Scale scale, float eps) {
        Device device = Devices.common("rewards", rewards);
        try (var g = Grad.disabled()) {
            return Backend.of(device).groupAdvantages(rewards.detach(), groupSize, scale, eps);
        }
    }

    /** The mean, element 0 of stats F32[3] = (mean, Σ m, Σ x·m), as a rank-0 view. */
    private static Tensor mean(Tensor stats) {
        return new Tensor(stats.storage(), stats.dtype(), new int[0], new long[0], stats.offset());
    }

    /** The upstream gradient of a scalar loss as the F32[1] the backward kernels read, on {@code device}. */
    private static Tensor scalar(Tensor g, Device device) {
        Tensor f32 = g.device().kind() == Device.Kind.CPU ? g.to(DType.F32) : g;
        return on(f32, device).reshape(1);
    }

    private static Tensor on(Tensor g, Device device) {
        return g.device().equals(device) ? g : g.to(device);
    }

    /** Fails when recording and a constant input requires a gradient this function would not compute. */
    private static void constants(String function, String names, Tensor... tensors) {
        if (!Grad.isEnabled()) {
            return;
        }
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i].requiresGrad()) {
                String[] n = names.split(",\\s*");
                throw new IllegalArgumentException("RlF." + function + " differentiates with respect to its first "
                        + "argument only, but " + n[i] + " requires a gradient: pass " + n[i] + ".detach()");
            }
        }
    }
}
