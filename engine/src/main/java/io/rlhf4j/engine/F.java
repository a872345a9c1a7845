package io.rlhf4j.engine;

import io.rlhf4j.engine.backend.RlF;
import io.rlhf4j.engine.ops.Linear;
import io.rlhf4j.engine.ops.LinearBf16;
import io.rlhf4j.engine.ops.fused.CrossEntropy;
import io.rlhf4j.engine.ops.fused.FlashAttention;
import io.rlhf4j.engine.ops.fused.LayerNorm;
import io.rlhf4j.engine.ops.fused.LogSoftmaxGather;
import io.rlhf4j.engine.ops.fused.Reduction;
import io.rlhf4j.engine.ops.fused.RmsNorm;
import io.rlhf4j.engine.ops.fused.Rotary;
import io.rlhf4j.engine.ops.fused.RotaryTables;
import io.rlhf4j.engine.ops.fused.SwiGlu;

/**
 * The fused neural-network functions, like torch.nn.functional. Each is one forward kernel and
 * one backward kernel (package {@code io.rlhf4j.engine.ops.fused}); F32 runs on the Vector API,
 * F64 serves gradient checks, BF16/F16 inputs are computed in F32.
 */
public final class F {

    /** torch's default ignore_index for cross-entropy. */
    public static final long IGNORE_INDEX = -100;

    private F() {
    }

    /** Llama/HF RMSNorm over the last dimension: x / √(mean(x²) + eps) · weight (weight may be null). */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return RmsNorm.apply(x, weight, eps);
    }

    /** torch layer_norm over the last dimension (biased variance); weight and bias may be null. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return LayerNorm.apply(x, weight, bias, eps);
    }

    /** HF apply_rotary_pos_emb (rotate_half convention): x [B, H, T, D], cos/sin [B or 1, T, D]. */
    public static Tensor rotaryEmbedding(Tensor x, Tensor cos, Tensor sin) {
        return Rotary.apply(x, cos, sin);
    }

    /** HF default rotary tables for position ids [T] or [B, T]: cos/sin [1 or B, T, headDim], F32. */
    public static RotaryTables.CosSin ropeCosSin(Tensor positions, int headDim, double theta) {
        return RotaryTables.cosSin(positions, headDim, theta, RotaryTables.Scaling.NONE);
    }

    /** Rotary tables with a rope_scaling variant's inverse frequencies and attention scaling. */
    public static RotaryTables.CosSin ropeCosSin(Tensor positions, int headDim, double theta, RotaryTables.Scaling scaling) {
        return RotaryTables.cosSin(positions, headDim, theta, scaling);
    }

    /**
     * Flash attention with scale 1/√D. q [B, Hq, T, D], k/v [B, Hkv, S, D] (Hq a multiple of Hkv),
     * keyMask [B, S] (non-zero = attend) or null; causal aligns the diagonal bottom-right (query i
     * sees keys ≤ i + S − T). Fully masked queries give 0, not NaN. See {@link FlashAttention}.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor keyMask, boolean causal) {
        return FlashAttention.apply(q, k, v, keyMask, causal, Double.NaN);
    }

    /** As {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean)} with an explicit scale. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor keyMask, boolean causal,
            double scale) {
        return FlashAttention.apply(q, k, v, keyMask, causal, scale);
    }

    /** Mean cross-entropy of logits [N, V] against targets [N], ignoring targets equal to -100. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return CrossEntropy.apply(logits, targets, IGNORE_INDEX, Reduction.MEAN, 0);
    }

    /**
     * torch cross_entropy with ignore_index, reduction and label_smoothing; MEAN over targets that
     * are all ignored is NaN, as in torch. The loss is F32 (F64 for F64 logits), also for BF16.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Reduction reduction,
            double labelSmoothing) {
        return CrossEntropy.apply(logits, targets, ignoreIndex, reduction, labelSmoothing);
    }

    /**
     * log softmax(logits)[ids] for logits [..., V] (F32, BF16 or F64) and ids [...] (integers in
     * [0, V)), with an online log-sum-exp: extra memory O(B·T), never B·T·V. Result F32 (F64).
     * Runs on the inputs' device: CPU tensors take {@link LogSoftmaxGather}, CUDA tensors the CUDA
     * backend's kernels (see {@link RlF#logSoftmaxGather}).
     */
    public static Tensor logSoftmaxGather(Tensor logits, Tensor ids) {
        return RlF.logSoftmaxGather(logits, ids);
    }

    // ---- fused SwiGLU

    /** silu(gate)·up as one op (Llama's MLP gate), same shapes; keeps no silu(gate) tensor. */
    public static Tensor swiglu(Tensor gate, Tensor up) {
        return SwiGlu.apply(gate, up);
    }

    // ---- linear

    /** torch.nn.functional.linear without bias: x·Wᵀ for x [..., in], W [out, in]; see {@link Linear}. */
    public static Tensor linear(Tensor x, Tensor weight) {
        return Linear.apply(x, weight);
    }

    /** Inference-only x·Wᵀ for F32 x [..., in] and a BF16 weight [out, in]; see {@link LinearBf16}. */
    public static Tensor linearBf16(Tensor x, Tensor weightBf16) {
        return LinearBf16.apply(x, weightBf16);
    }
}
