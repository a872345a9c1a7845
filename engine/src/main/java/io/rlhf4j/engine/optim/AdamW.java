package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), exactly as torch.optim.AdamW
 * without amsgrad: per parameter with a gradient, step t ← t + 1, then
 * p ← p·(1 − lr·wd); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε). Defaults are torch's: lr 1e-3,
 * betas (0.9, 0.999), eps 1e-8, weight decay 0.01. State (m, v, t) lives outside every memory
 * scope; it is created on a parameter's first step.
 */
public final class AdamW extends AbstractOptimizer {

    public static final double DEFAULT_LR = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;
    private final long[] steps;

    /** One group with torch's defaults. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, DEFAULT_WEIGHT_DECAY);
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(List.of(new ParamGroup(params, lr, weightDecay)), beta1, beta2, eps);
    }

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(groups);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        int n = params().size();
        expAvg = new Tensor[n];
        expAvgSq = new Tensor[n];
        steps = new long[n];
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    @Override
    public void step() {
        List<Tensor> params = params();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = gradOf(p, i);
            if (g == null) {
                continue;
            }
            if (expAvg[i] == null) {
                expAvg[i] = longLivedZeros(p);
                expAvgSq[i] = longLivedZeros(p);
            }
            long t = ++steps[i];
            ParamGroup group = groupOf(i);
            double lr = group.lr();
            var c = new OptimKernels.AdamCoefficients(1 - lr * group.weightDecay(), beta1, beta2,
                    lr / (1 - Math.pow(beta1, t)), Math.sqrt(1 - Math.pow(beta2, t)), eps);
            MemorySegment ps = p.segment();
            MemorySegment gs = g.segment();
            MemorySegment ms = expAvg[i].segment();
            MemorySegment vs = expAvgSq[i].segment();
            long po = p.offset();
            long go = g.offset();
            boolean f32 = p.dtype() == DType.F32;
            Parallel.forRange(Math.toIntExact(p.numel()), MIN_CHUNK, (s, e) -> {
                if (f32) {
                    OptimKernels.adamwF32(ps, po, gs, go, ms, vs, s, e, c);
                } else {
                    OptimKernels.adamwF64(ps, po, gs, go, ms, vs, s, e, c);
                }
            });
        }
    }

    @Override
    List<String> stateTensorNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    List<String> stateScalarNames() {
        return List.of("step");
    }

    @Override
    void saveParamState(int i, Map<String, Tensor> tensors, Map<String, Double> scalars) {
        if (expAvg[i] != null) {
            tensors.put("exp_avg", expAvg[i]);
            tensors.put("exp_avg_sq", expAvgSq[i]);
            scalars.put("step", (double) steps[i]);
        }
    }

    @Override
    void loadParamState(int i, Map<String, Tensor> tensors, Map<String, Double> scalars) {
        Tensor m = tensors.get("exp_avg");
        Tensor v = tensors.get("exp_avg_sq");
        Double t = scalars.get("step");
        if ((m == null) != (v == null) || (m == null) != (t == null)) {
            throw new IllegalArgumentException("optimizer state of parameter " + i
                    + " needs exp_avg, exp_avg_sq and step together, got " + tensors.keySet() + " and " + scalars.keySet());
        }
        expAvg[i] = m;
        expAvgSq[i] = v;
        steps[i] = t == null ? 0 : t.longValue();
    }
}
