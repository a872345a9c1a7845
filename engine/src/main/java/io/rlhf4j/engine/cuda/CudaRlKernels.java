package io.rlhf4j.engine.cuda;

import static io.rlhf4j.engine.cuda.RlKernelCatalog.FINALIZE_MASKED_MEAN;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import java.util.Arrays;

/**
 * {@link RlKernels} on one CUDA device: each method checks dtypes and shapes, allocates its
 * outputs from the context's allocator (in the current {@link DeviceScope}, if one is open) and
 * queues the PTX kernels of rlhf4j-kernels on the context's stream with the launch shapes their
 * sources document. Nothing waits for the device: results are ready once the stream has reached
 * them (a download, or {@link CudaContext#synchronize()}). Temporary buffers (reduction partials)
 * go back to the allocator right after their launches: every use of memory is ordered on the one
 * stream, so a later reuse cannot overtake the kernel reading it.
 *
 * <p>Reductions use a grid fixed by the element count alone ({@link #reductionGrid}), so results
 * are bitwise reproducible for a given input size.
 */
public final class CudaRlKernels implements RlKernels<DeviceBuffer> {

    /** Threads per block for the elementwise and reduction kernels. */
    static final int BLOCK = 256;
    /** Threads per block for log-softmax-gather (one block per row; the .cu recommends 512). */
    static final int ROW_BLOCK = 512;
    /** Most blocks a reduction uses: the partials buffer holds 2 floats per block. */
    static final int MAX_REDUCTION_GRID = 1024;
    private static final int MAX_GRID = 1 << 20;

    private final CudaContext context;
    private final KernelLauncher launcher;

    public CudaRlKernels(CudaContext context) {
        this.context = context;
        this.launcher = context.launcher();
    }

    public CudaContext context() {
        return context;
    }

    @Override
    public LogProbs<DeviceBuffer> logSoftmaxGather(DeviceBuffer logits, DeviceBuffer targets) {
        int[] rv = logitsShape(logits, targets);
        DeviceBuffer logprob = alloc(rv[0]);
        DeviceBuffer lse = alloc(rv[0]);
        KernelSignature k = logits.dtype() == DType.BF16 ? RlKernelCatalog.LSG_FWD_BF16 : RlKernelCatalog.LSG_FWD_F32;
        launcher.launch(k, rowShape(rv[0]), logits, targets, logprob, lse, rv[0], rv[1]);
        return new LogProbs<>(logprob, lse);
    }

    @Override
    public DeviceBuffer logSoftmaxGatherBackward(DeviceBuffer logits, DeviceBuffer targets, DeviceBuffer lse,
                                                 DeviceBuffer gradLogprob) {
        int[] rv = logitsShape(logits, targets);
        f32(lse, "lse", rv[0]);
        f32(gradLogprob, "gradLogprob", rv[0]);
        DeviceBuffer grad = context.allocator().allocate(logits.dtype(), logits.shape());
        KernelSignature k = logits.dtype() == DType.BF16 ? RlKernelCatalog.LSG_BWD_BF16 : RlKernelCatalog.LSG_BWD_F32;
        launcher.launch(k, rowShape(rv[0]), logits, targets, lse, gradLogprob, grad, rv[0], rv[1]);
        return grad;
    }

    @Override
    public Advantages<DeviceBuffer> gae(DeviceBuffer rewards, DeviceBuffer values, DeviceBuffer mask, float gamma,
                                        float lambda) {
        int[] shape = rewards.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("rewards must be [batch, len], got " + Arrays.toString(shape));
        }
        long n = rewards.numel();
        f32(rewards, "rewards", n);
        f32(values, "values", n);
        f32(mask, "mask", n);
        DeviceBuffer adv = context.allocator().allocate(DType.F32, shape);
        DeviceBuffer ret = context.allocator().allocate(DType.F32, shape);
        launcher.launch(RlKernelCatalog.GAE, LaunchShape.of(ceilDiv(shape[0], 32), 32),
                rewards, values, mask, adv, ret, shape[0], shape[1], gamma, lambda);
        return new Advantages<>(adv, ret);
    }

    @Override
    public Reduced<DeviceBuffer> kl(KlEstimators.Kind kind, DeviceBuffer logp, DeviceBuffer ref, DeviceBuffer mask,
                                    boolean perToken) {
        int n = elementwise(logp, ref, mask);
        DeviceBuffer per = perToken ? context.allocator().allocate(DType.F32, logp.shape()) : null;
        LaunchShape shape = reductionShape(n);
        try (DeviceBuffer partials = alloc(2 * shape.grid())) {
            launcher.launch(RlKernelCatalog.KL_FWD, shape, logp, ref, mask, per, partials, n, kind.code());
            return new Reduced<>(finalizeMean(partials, shape.grid()), per);
        }
    }

    @Override
    public DeviceBuffer klBackward(KlEstimators.Kind kind, DeviceBuffer logp, DeviceBuffer ref, DeviceBuffer mask,
                                   DeviceBuffer gradOut, DeviceBuffer stats) {
        int n = elementwise(logp, ref, mask);
        scalars(gradOut, stats);
        DeviceBuffer grad = context.allocator().allocate(DType.F32, logp.shape());
        launcher.launch(RlKernelCatalog.KL_BWD, LaunchShape.covering(n, BLOCK, MAX_GRID),
                logp, ref, mask, gradOut, stats, grad, n, kind.code());
        return grad;
    }

    @Override
    public DeviceBuffer groupAdvantages(DeviceBuffer rewards, int groupSize, GroupAdvantages.Scale scale, float eps) {
        int n = Math.toIntExact(rewards.numel());
        if (groupSize <= 0 || n % groupSize != 0) {
            throw new IllegalArgumentException("groupSize " + groupSize + " must be positive and divide the " + n + " rewards");
        }
        f32(rewards, "rewards", n);
        DeviceBuffer adv = context.allocator().allocate(DType.F32, rewards.shape());
        int groups = n / groupSize;
        int warpsPerBlock = BLOCK / 32;
        try (DeviceBuffer std = scale == GroupAdvantages.Scale.BATCH ? alloc(1) : null) {
            if (std != null) {
                launcher.launch(RlKernelCatalog.REWARD_STD, LaunchShape.of(1, 1024), rewards, n, std);
            }
            launcher.launch(RlKernelCatalog.GRPO_ADVANTAGES, LaunchShape.of(ceilDiv(groups, warpsPerBlock), BLOCK),
                    rewards, std, adv, groups, groupSize, eps, scale.code());
        }
        return adv;
    }

    @Override
    public Reduced<DeviceBuffer> ppoClip(Clip clip, DeviceBuffer logp, DeviceBuffer oldLogp, DeviceBuffer adv,
                                         DeviceBuffer mask, boolean perToken) {
        int n = elementwise(logp, oldLogp, mask);
        advantages(adv, n, clip.advLen());
        DeviceBuffer per = perToken ? context.allocator().allocate(DType.F32, logp.shape()) : null;
        LaunchShape shape = reductionShape(n);
        try (DeviceBuffer partials = alloc(2 * shape.grid())) {
            launcher.launch(RlKernelCatalog.PPO_FWD, shape, logp, oldLogp, adv, mask, per, partials, n, clip.advLen(),
                    (float) clip.epsLow(), (float) clip.epsHigh());
            return new Reduced<>(finalizeMean(partials, shape.grid()), per);
        }
    }

    @Override
    public DeviceBuffer ppoClipBackward(Clip clip, DeviceBuffer logp, DeviceBuffer oldLogp, DeviceBuffer adv,
                                        DeviceBuffer mask, DeviceBuffer gradOut, DeviceBuffer stats) {
        int n = elementwise(logp, oldLogp, mask);
        advantages(adv, n, clip.advLen());
        scalars(gradOut, stats);
        DeviceBuffer grad = context.allocator().allocate(DType.F32, logp.shape());
        launcher.launch(RlKernelCatalog.PPO_BWD, LaunchShape.covering(n, BLOCK, MAX_GRID), logp, oldLogp, adv, mask,
                gradOut, stats, grad, n, clip.advLen(), (float) clip.epsLow(), (float) clip.epsHigh());
        return grad;
    }

    @Override
    public Reduced<DeviceBuffer> maskedMean(DeviceBuffer x, DeviceBuffer mask) {
        int n = elementwise(x, mask, mask);
        LaunchShape shape = reductionShape(n);
        try (DeviceBuffer partials = alloc(2 * shape.grid())) {
            launcher.launch(RlKernelCatalog.MASKED_SUM_PARTIALS, shape, x, mask, partials, n);
            return new Reduced<>(finalizeMean(partials, shape.grid()), null);
        }
    }

    @Override
    public DeviceBuffer maskedMeanBackward(DeviceBuffer mask, DeviceBuffer gradOut, DeviceBuffer stats) {
        int n = elementwise(mask, mask, mask);
        scalars(gradOut, stats);
        DeviceBuffer grad = context.allocator().allocate(DType.F32, mask.shape());
        launcher.launch(RlKernelCatalog.MASKED_MEAN_BWD, LaunchShape.covering(n, BLOCK, MAX_GRID), mask, gradOut, stats,
                grad, n);
        return grad;
    }

    /** The reduction grid for n elements: fixed by n, so sums are reproducible. */
    static LaunchShape reductionShape(long n) {
        return LaunchShape.covering(n, BLOCK, MAX_REDUCTION_GRID);
    }

    private DeviceBuffer finalizeMean(DeviceBuffer partials, int numPartials) {
        DeviceBuffer stats = alloc(3);
        launcher.launch(FINALIZE_MASKED_MEAN, LaunchShape.of(1, BLOCK), partials, numPartials, stats);
        return stats;
    }

    private DeviceBuffer alloc(int n) {
        return context.allocator().allocate(DType.F32, n);
    }

    private static LaunchShape rowShape(int rows) {
        return LaunchShape.of(Math.max(1, Math.min(rows, MAX_GRID)), ROW_BLOCK);
    }

    /** [rows, V] of F32/BF16 logits with I32 targets [rows]. */
    private static int[] logitsShape(DeviceBuffer logits, DeviceBuffer targets) {
        int[] s = logits.shape();
        if (s.length != 2 || (logits.dtype() != DType.F32 && logits.dtype() != DType.BF16)) {
            throw new IllegalArgumentException("logits must be F32 or BF16 [rows, V], got " + logits);
        }
        if (targets.dtype() != DType.I32 || targets.numel() != s[0]) {
            throw new IllegalArgumentException("targets must be I32 with one id per logits row (" + s[0] + "), got " + targets);
        }
        return s;
    }

    /** Checks that a and b and mask are F32 with the same element count; returns it. */
    private static int elementwise(DeviceBuffer a, DeviceBuffer b, DeviceBuffer mask) {
        int n = Math.toIntExact(a.numel());
        f32(a, "input", n);
        f32(b, "second input", n);
        f32(mask, "mask", n);
        return n;
    }

    private static void advantages(DeviceBuffer adv, int n, int advLen) {
        if (advLen > 0 && n % advLen != 0) {
            throw new IllegalArgumentException(n + " tokens are not a whole number of sequences of length " + advLen);
        }
        f32(adv, "adv", advLen == 0 ? n : n / advLen);
    }

    private static void scalars(DeviceBuffer gradOut, DeviceBuffer stats) {
        f32(gradOut, "gradOut", 1);
        f32(stats, "stats", 3);
    }

    private static void f32(DeviceBuffer b, String name, long n) {
        if (b.dtype() != DType.F32 || b.numel() != n) {
            throw new IllegalArgumentException(name + " must be F32 with " + n + " elements, got " + b);
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.max(1, (a + b - 1) / b);
    }
}
