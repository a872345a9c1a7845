package io.rlhf4j.engine.backend;

import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaContext;
import io.rlhf4j.engine.cuda.CudaRlKernels;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import io.rlhf4j.engine.cuda.DeviceScope;
import io.rlhf4j.engine.memory.MemoryScope;
import io.rlhf4j.engine.rl.GroupAdvantages;
import io.rlhf4j.engine.rl.KlEstimators;
import java.lang.ref.Reference;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link Backend} on one CUDA device: unwraps the argument tensors into their device buffers
 * ({@link CudaTensors#buffer}, no copy), runs {@link CudaRlKernels} on the context's stream and
 * wraps the results into tensors owned by the current {@code Memory.scope()}. Nothing waits for
 * the device except the copies to the host. One per device per JVM ({@link Backend#of}).
 *
 * <p>Each method keeps its argument tensors reachable until its launches are queued: a tensor
 * outside any scope frees its buffer when collected, and a buffer freed before the launch that
 * reads it could be handed to that launch's own output.
 */
public final class CudaBackend implements Backend {

    private static final Map<Integer, CudaBackend> BACKENDS = new HashMap<>();

    private final Device device;
    private final CudaContext context;
    private final CudaRlKernels kernels;

    private CudaBackend(Device device, CudaContext context) {
        this.device = device;
        this.context = context;
        this.kernels = new CudaRlKernels(context);
    }

    /** The backend of CUDA device {@code index}; throws with the probe's reason when CUDA is unavailable. */
    static synchronized CudaBackend get(int index) {
        CudaBackend b = BACKENDS.get(index);
        if (b == null) {
            b = new CudaBackend(new Device(Device.Kind.CUDA, index), CudaContext.get(index));
            BACKENDS.put(index, b);
        }
        return b;
    }

    @Override
    public Device device() {
        return device;
    }

    /** The device's context (stream, allocator, staging buffers). */
    public CudaContext context() {
        return context;
    }

    @Override
    public Tensor fromHost(Tensor t) {
        Devices.require(t, "t", Device.CPU);
        return out(context.upload(t.detach()));
    }

    /** A strided tensor is read whole (its storage's buffer) and made contiguous on the host. */
    @Override
    public Tensor toHost(Tensor t) {
        Devices.require(t, "t", device);
        Tensor host;
        if (t.isContiguous()) {
            host = context.download(in(t, "t"));
        } else {
            DeviceBuffer whole = t.storage().deviceBuffer();
            int elements = Math.toIntExact(whole.byteSize() / t.dtype().byteSize());
            Tensor all = context.download(whole.view(0, t.dtype(), elements));
            host = new Tensor(all.storage(), t.dtype(), t.shape(), t.strides(), t.offset()).contiguous();
        }
        Reference.reachabilityFence(t);
        return host;
    }

    @Override
    public Tensor copy(Tensor t, MemoryScope owner) {
        DeviceBuffer src = in(t, "t");
        DeviceBuffer dst = DeviceScope.disown(context.allocator().allocate(t.dtype(), t.shape()));
        context.copy(src, dst);
        Reference.reachabilityFence(t);
        return CudaTensors.wrap(owner, dst, device);
    }

    @Override
    public LogProbs<Tensor> logSoftmaxGather(Tensor logits, Tensor targets) {
        LogProbs<DeviceBuffer> r = kernels.logSoftmaxGather(in(logits, "logits"), in(targets, "targets"));
        keepAlive(logits, targets);
        return new LogProbs<>(out(r.logprob()), out(r.lse()));
    }

    @Override
    public Tensor logSoftmaxGatherBackward(Tensor logits, Tensor targets, Tensor lse, Tensor gradLogprob) {
        DeviceBuffer g = kernels.logSoftmaxGatherBackward(in(logits, "logits"), in(targets, "targets"), in(lse, "lse"),
                in(gradLogprob, "gradLogprob"));
        keepAlive(logits, targets, lse, gradLogprob);
        return out(g);
    }

    @Override
    public Advantages<Tensor> gae(Tensor rewards, Tensor values, Tensor mask, float gamma, float lambda) {
        Advantages<DeviceBuffer> r = kernels.gae(in(rewards, "rewards"), in(values, "values"), in(mask, "mask"),
                gamma, lambda);
        keepAlive(rewards, values, mask);
        return new Advantages<>(out(r.advantages()), out(r.returns()));
    }

    @Override
    public Reduced<Tensor> kl(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask, boolean perToken) {
        Reduced<DeviceBuffer> r = kernels.kl(kind, in(logp, "logp"), in(ref, "ref"), in(mask, "mask"), perToken);
        keepAlive(logp, ref, mask);
        return reduced(r);
    }

    @Override
    public Tensor klBackward(KlEstimators.Kind kind, Tensor logp, Tensor ref, Tensor mask, Tensor gradOut, Tensor stats) {
        DeviceBuffer g = kernels.klBackward(kind, in(logp, "logp"), in(ref, "ref"), in(mask, "mask"),
                in(gradOut, "gradOut"), in(stats, "stats"));
        keepAlive(logp, ref, mask, gradOut, stats);
        return out(g);
    }

    @Override
    public Tensor groupAdvantages(Tensor rewards, int groupSize, GroupAdvantages.Scale scale, float eps) {
        DeviceBuffer a = kernels.groupAdvantages(in(rewards, "rewards"), groupSize, scale, eps);
        keepAlive(rewards);
        return out(a);
    }

    @Override
    public Reduced<Tensor> ppoClip(Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask, boolean perToken) {
        Reduced<DeviceBuffer> r = kernels.ppoClip(clip, in(logp, "logp"), in(oldLogp, "oldLogp"), in(adv, "adv"),
                in(mask, "mask"), perToken);
        keepAlive(logp, oldLogp, adv, mask);
        return reduced(r);
    }

    @Override
    public Tensor ppoClipBackward(Clip clip, Tensor logp, Tensor oldLogp, Tensor adv, Tensor mask, Tensor gradOut,
                                  Tensor stats) {
        DeviceBuffer g = kernels.ppoClipBackward(clip, in(logp, "logp"), in(oldLogp, "oldLogp"), in(adv, "adv"),
                in(mask, "mask"), in(gradOut, "gradOut"), in(stats, "stats"));
        keepAlive(logp, oldLogp, adv, mask, gradOut, stats);
        return out(g);
    }

    @Override
    public Reduced<Tensor> maskedMean(Tensor x, Tensor mask) {
        Reduced<DeviceBuffer> r = kernels.maskedMean(in(x, "x"), in(mask, "mask"));
        keepAlive(x, mask);
        return reduced(r);
    }

    @Override
    public Tensor maskedMeanBackward(Tensor mask, Tensor gradOut, Tensor stats) {
        DeviceBuffer g = kernels.maskedMeanBackward(in(mask, "mask"), in(gradOut, "gradOut"), in(stats, "stats"));
        keepAlive(mask, gradOut, stats);
        return out(g);
    }

    @Override
    public String toString() {
        return device + " (" + context + ")";
    }

    private DeviceBuffer in(Tensor t, String name) {
        return CudaTensors.buffer(t, name, device);
    }

    private Tensor out(DeviceBuffer b) {
        return b == null ? null : CudaTensors.wrap(b, device);
    }

    private Reduced<Tensor> reduced(Reduced<DeviceBuffer> r) {
        return new Reduced<>(out(r.stats()), out(r.perToken()));
    }

    /** Called after the launches that read {@code args}: until here they must not be collected. */
    private static void keepAlive(Tensor... args) {
        Reference.reachabilityFence(args);
    }
}
