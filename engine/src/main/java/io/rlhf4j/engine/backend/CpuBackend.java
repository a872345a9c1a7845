package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Shapes;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaRuntime;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.memory.MemoryScope;
import io.rlhf4j.engine.ops.Copy;
import io.rlhf4j.engine.rl.CpuRlKernels;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;

/** {@link Backend} on the host: every kernel is {@link CpuRlKernels}' (the F64 twins, rounded once). */
public final class CpuBackend implements Backend {

    static final CpuBackend INSTANCE = new CpuBackend();

    private final CpuRlKernels kernels = new CpuRlKernels();

    private CpuBackend() {
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor fromHost(Tensor t) {
        Devices.require(t, "t", Device.CPU);
        return t;
    }

    @Override
    public Tensor toHost(Tensor t) {
        Devices.require(t, "t", Device.CPU);
        return t;
    }

    @Override
    public Tensor copy(Tensor t, MemoryScope owner) {
        Devices.require(t, "t", Device.CPU);
        int[] shape = t.shape();
        Tensor out = new Tensor(Memory.allocateIn(owner, t.numel() * t.dtype().byteSize()), t.dtype(), shape,
                Shapes.contiguousStrides(shape), 0);
        Copy.into(t, out);
        return out;
    }

    @Override
    public LogProbs<Tensor> logSoftmaxGather(Tensor logits, Tensor targets) {
        return kernels.logSoftmaxGather(logits, targets);
    }

    @Override
    public Tensor logSoftmaxGatherBackward(Tensor logits, Tensor targets, Tensor lse, Tensor gradLogprob) {
        return kernels.logSoftmaxGatherBackward(logits, targets, lse, gradLogprob);
    }

    @Override
    public Advantages<Tensor> gae(Tensor rewards, Tensor values, Tensor mask, float gamma, float lambda) {
        return kernels.gae(rewards, values, mask, gamma, lambda);
    }

    @Override
    public Reduced<Tensor> kl(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask, boolean perToken) {
        return kernels.kl(kind, logp, ref, mask, perToken);
    }

    @Override
    public Tensor klBackward(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask, Tensor gradOut, Tensor stats) {
        return kernels.klBackward(kind, logp, ref, mask, gradOut, stats);
    }

    @Override
    public Tensor groupAdvantages(Tensor rewards, int groupSize, GroupAdvantages.Scale scale, float eps) {
        return kernels.groupAdvantages(rewards, groupSize, scale, eps);
    }

    @Override
    public Reduced<Tensor> ppoClip(Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask, boolean perToken) {
        return kernels.ppoClip(clip, logp, oldLogp, adv, mask, perToken);
    }

    @Override
    public Tensor ppoClipBackward(Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask, Tensor gradOut,
                                  Tensor stats) {
        return kernels.ppoClipBackward(clip, logp, oldLogp, adv, mask, gradOut, stats);
    }

    @Override
    public Reduced<Tensor> maskedMean(Tensor x, Tensor mask) {
        return kernels.maskedMean(x, mask);
    }

    @Override
    public Tensor maskedMeanBackward(Tensor mask, Tensor gradOut, Tensor stats) {
        return kernels.maskedMeanBackward(mask, gradOut, stats);
    }

    /** "cpu", with the CUDA probe's reason when CUDA is unavailable (so a log says why it is not a GPU). */
    @Override
    public String toString() {
        return CudaRuntime.isAvailable() ? "cpu" : "cpu (CUDA unavailable: " + CudaRuntime.unavailableReason() + ")";
    }
}
