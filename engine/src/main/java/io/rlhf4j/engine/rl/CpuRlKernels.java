package io.rlhf4j.engine.rl;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;

/**
 * {@link RlKernels} on the CPU over host tensors: the reference the CUDA kernels are tested
 * against. Each method delegates to the CPU twin ({@link Gae}, {@link KlEstimators},
 * {@link GroupAdvantages}, {@link PpoClipLoss}, {@link MaskedMean}, which compute in F64 and
 * round once) and, for log-softmax-gather, to the engine's fused {@link F#logSoftmaxGather}
 * (forward and its own backward kernel) with the log-sum-exp from {@link Tensor#logsumexp}.
 */
public final class CpuRlKernels implements RlKernels<Tensor> {

    @Override
    public LogProbs<Tensor> logSoftmaxGather(Tensor logits, Tensor targets) {
        int vocab = vocab(logits, targets);
        try (var g = Grad.disabled()) {
            Tensor logprob = F.logSoftmaxGather(logits, safeTargets(targets, vocab)).to(DType.F32);
            Tensor lse = logits.to(DType.F32).logsumexp(1, false);
            return new LogProbs<>(logprob.maskedFill(active(targets, vocab).eq(0), 0), lse);
        }
    }

    /** Delegates to the fused op's backward (which recomputes the log-sum-exp, so {@code lse} is not read). */
    @Override
    public Tensor logSoftmaxGatherBackward(Tensor logits, Tensor targets, Tensor lse, Tensor gradLogprob) {
        int vocab = vocab(logits, targets);
        try (var g = Grad.enabled()) {
            Tensor leaf = logits.detach().requiresGrad(true);
            Tensor logprob = F.logSoftmaxGather(leaf, safeTargets(targets, vocab));
            logprob.backward(gradLogprob.to(DType.F32).mul(active(targets, vocab)).to(logprob.dtype()));
            return leaf.grad();
        }
    }

    @Override
    public Advantages<Tensor> gae(Tensor rewards, Tensor values, Tensor mask, float gamma, float lambda) {
        int[] shape = rank2("rewards", rewards);
        float[] adv = new float[Math.toIntExact(rewards.numel())];
        float[] ret = new float[adv.length];
        Gae.compute(rewards.toFloatArray(), values.toFloatArray(), mask.toFloatArray(), shape[0], shape[1],
                gamma, lambda, adv, ret);
        return new Advantages<>(Tensor.of(adv, shape), Tensor.of(ret, shape));
    }

    @Override
    public Reduced<Tensor> kl(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask, boolean perToken) {
        double[] k = new double[Math.toIntExact(logp.numel())];
        KlEstimators.perToken(kind, logp.toDoubleArray(), ref.toDoubleArray(), k);
        return reduce(k, mask, perToken, logp.shape());
    }

    @Override
    public Tensor klBackward(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask, Tensor gradOut, Tensor stats) {
        float[] g = new float[Math.toIntExact(logp.numel())];
        KlEstimators.maskedMeanGrad(kind, logp.toFloatArray(), ref.toFloatArray(), mask.toFloatArray(), gradOut.item(), g);
        return Tensor.of(g, logp.shape());
    }

    @Override
    public Tensor groupAdvantages(Tensor rewards, int groupSize, GroupAdvantages.Scale scale, float eps) {
        return Tensor.of(GroupAdvantages.compute(rewards.toFloatArray(), groupSize, scale, eps), rewards.shape());
    }

    @Override
    public Reduced<Tensor> ppoClip(Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask, boolean perToken) {
        double[] loss = new double[Math.toIntExact(logp.numel())];
        loss(clip).perToken(logp.toDoubleArray(), oldLogp.toDoubleArray(), adv.toDoubleArray(), loss);
        return reduce(loss, mask, perToken, logp.shape());
    }

    @Override
    public Tensor ppoClipBackward(Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask, Tensor gradOut,
                                  Tensor stats) {
        float[] g = new float[Math.toIntExact(logp.numel())];
        loss(clip).grad(logp.toFloatArray(), oldLogp.toFloatArray(), adv.toFloatArray(), mask.toFloatArray(),
                gradOut.item(), g);
        return Tensor.of(g, logp.shape());
    }

    @Override
    public Reduced<Tensor> maskedMean(Tensor x, Tensor mask) {
        return reduce(x.toDoubleArray(), mask, false, x.shape());
    }

    @Override
    public Tensor maskedMeanBackward(Tensor mask, Tensor gradOut, Tensor stats) {
        double[] g = new double[Math.toIntExact(mask.numel())];
        MaskedMean.backward(mask.toDoubleArray(), gradOut.item(), g);
        return Tensor.of(g, mask.shape()).to(DType.F32);
    }

    /** stats = (mean, Σ m, Σ x·m) in F64, rounded to F32 once. */
    private static Reduced<Tensor> reduce(double[] x, Tensor mask, boolean perToken, int[] shape) {
        double[] m = mask.toDoubleArray();
        Checks.sameLength("values", x.length, "mask", m.length);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (m[i] != 0) {
                sum += x[i] * m[i];
            }
        }
        double[] stats = {MaskedMean.of(x, m), MaskedMean.count(m), sum};
        Tensor per = perToken ? Tensor.of(x, shape).to(DType.F32) : null;
        return new Reduced<>(Tensor.of(stats, 3).to(DType.F32), per);
    }

    private static PpoClipLoss loss(Clip clip) {
        return new PpoClipLoss(clip.epsLow(), clip.epsHigh(), clip.advLen());
    }

    private static int vocab(Tensor logits, Tensor targets) {
        int[] shape = rank2("logits", logits);
        if (targets.numel() != shape[0] || targets.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("targets must be an integer tensor of " + shape[0]
                    + " elements (one per logits row), got " + targets.dtype() + java.util.Arrays.toString(targets.shape()));
        }
        return shape[1];
    }

    /** The targets with ignored ones (outside [0, V)) replaced by 0, as I64 [rows]. */
    private static Tensor safeTargets(Tensor targets, int vocab) {
        long[] t = targets.toLongArray();
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i] >= 0 && t[i] < vocab ? t[i] : 0;
        }
        return Tensor.ofLongs(t, t.length);
    }

    /** 1 where the target is inside [0, V), else 0, as F32 [rows]. */
    private static Tensor active(Tensor targets, int vocab) {
        long[] t = targets.toLongArray();
        float[] a = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            a[i] = t[i] >= 0 && t[i] < vocab ? 1f : 0f;
        }
        return Tensor.of(a, a.length);
    }

    private static int[] rank2(String name, Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException(name + " must be [rows, cols], got " + java.util.Arrays.toString(t.shape()));
        }
        return t.shape();
    }
}
