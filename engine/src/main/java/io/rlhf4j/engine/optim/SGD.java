package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent as torch.optim.SGD: d = g + wd·p; with momentum μ the buffer is
 * b = d on a parameter's first step and b ← μb + (1 − dampening)·d after, and d becomes
 * d + μb (Nesterov) or b; then p ← p − lr·d. The momentum buffer lives outside every memory scope.
 */
public final class SGD extends AbstractOptimizer {

    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final Tensor[] buffers;

    /** Plain SGD: no momentum, no weight decay. */
    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay,
            boolean nesterov) {
        this(List.of(new ParamGroup(params, lr, weightDecay)), momentum, dampening, nesterov);
    }

    public SGD(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
        super(groups);
        if (!(momentum >= 0)) {
            throw new IllegalArgumentException("momentum must be >= 0, got " + momentum);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.buffers = new Tensor[params().size()];
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
            boolean first = false;
            if (momentum != 0 && buffers[i] == null) {
                buffers[i] = longLivedZeros(p);
                first = true;
            }
            ParamGroup group = groupOf(i);
            var c = new OptimKernels.SgdCoefficients(group.lr(), group.weightDecay(), momentum, dampening, nesterov,
                    first);
            MemorySegment ps = p.segment();
            MemorySegment gs = g.segment();
            MemorySegment bs = momentum != 0 ? buffers[i].segment() : null;
            long po = p.offset();
            long go = g.offset();
            boolean f32 = p.dtype() == DType.F32;
            Parallel.forRange(Math.toIntExact(p.numel()), MIN_CHUNK, (s, e) -> {
                if (f32) {
                    OptimKernels.sgdF32(ps, po, gs, go, bs, s, e, c);
                } else {
                    OptimKernels.sgdF64(ps, po, gs, go, bs, s, e, c);
                }
            });
        }
    }

    @Override
    List<String> stateTensorNames() {
        return List.of("momentum_buffer");
    }

    @Override
    List<String> stateScalarNames() {
        return List.of();
    }

    @Override
    void saveParamState(int i, Map<String, Tensor> tensors, Map<String, Double> scalars) {
        if (buffers[i] != null) {
            tensors.put("momentum_buffer", buffers[i]);
        }
    }

    @Override
    void loadParamState(int i, Map<String, Tensor> tensors, Map<String, Double> scalars) {
        buffers[i] = tensors.get("momentum_buffer");
    }
}
