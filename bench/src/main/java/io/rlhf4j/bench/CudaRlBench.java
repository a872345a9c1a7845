package io.rlhf4j.bench;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.cuda.CudaContext;
import io.rlhf4j.engine.cuda.CudaRlKernels;
import io.rlhf4j.engine.cuda.DeviceBuffer;
import io.rlhf4j.engine.cuda.DeviceScope;
import io.rlhf4j.engine.rl.KlEstimators;
import io.rlhf4j.engine.rl.RlKernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The RL kernels on the GPU. Each invocation queues the kernels and waits for the stream, so the
 * time per op is device time plus one launch-and-sync round trip (~10 µs). Outputs come from the
 * caching allocator inside a per-invocation {@link DeviceScope}, so no cuMemAlloc is timed.
 *
 * <p>Bytes per op (the minimum traffic; {@link GpuBench} divides by the time and by the copy
 * bandwidth of {@link CudaCopyBench}):
 * <ul>
 * <li>lsgForward: reads logits R·V·s + targets 4R, writes 8R (s = 2 for BF16);
 * <li>lsgForwardBackward: forward, then the backward reads R·V·s + 12R and writes R·V·s:
 *     3·R·V·s + 28R in all;
 * <li>gae: reads rewards, values, mask and writes advantages, returns: 20·B·T;
 * <li>k3MaskedMean: reads logp, ref, mask: 12·N (the partials are a few KB).
 * </ul>
 * At R = 8192, V = 151936, BF16 the forward moves 2.49 GB: at the H200's ~4.3 TB/s copy
 * bandwidth that is about 0.58 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class CudaRlBench {

    @Param({"8192"})
    public int rows;

    @Param({"151936"})
    public int vocab;

    @Param({"4096"})
    public int gaeBatch;

    @Param({"2048"})
    public int gaeLen;

    @Param({"67108864"})
    public int klElements;

    private CudaContext ctx;
    private CudaRlKernels k;
    private DeviceBuffer logits;
    private DeviceBuffer targets;
    private DeviceBuffer gradLogprob;
    private DeviceBuffer rewards;
    private DeviceBuffer values;
    private DeviceBuffer gaeMask;
    private DeviceBuffer logp;
    private DeviceBuffer ref;
    private DeviceBuffer klMask;

    @Setup
    public void setup() {
        ctx = CudaBenchState.context();
        k = new CudaRlKernels(ctx);
        logits = CudaBenchState.randomRows(ctx, DType.BF16, rows, vocab, 64, 3, 1);
        targets = ctx.upload(Tensor.ofInts(CudaBenchState.ids(2, rows, vocab), rows));
        gradLogprob = CudaBenchState.upload(ctx, CudaBenchState.gaussian(3, rows, 0, 1), rows);
        rewards = CudaBenchState.randomRows(ctx, DType.F32, gaeBatch, gaeLen, 64, 1, 4);
        values = CudaBenchState.randomRows(ctx, DType.F32, gaeBatch, gaeLen, 64, 1, 5);
        gaeMask = CudaBenchState.upload(ctx, CudaBenchState.mask(6, gaeBatch, gaeLen), gaeBatch, gaeLen);
        int klRows = klElements / 4096;
        logp = CudaBenchState.randomRows(ctx, DType.F32, klRows, 4096, 16, 1, 7);
        ref = CudaBenchState.randomRows(ctx, DType.F32, klRows, 4096, 16, 1, 8);
        klMask = CudaBenchState.randomRows(ctx, DType.F32, klRows, 4096, 16, 1, 9);
    }

    @TearDown
    public void tearDown() {
        for (DeviceBuffer b : new DeviceBuffer[] {logits, targets, gradLogprob, rewards, values, gaeMask, logp, ref, klMask}) {
            b.close();
        }
        ctx.allocator().trim();
    }

    @Benchmark
    public void lsgForward() {
        try (var s = DeviceScope.open()) {
            k.logSoftmaxGather(logits, targets);
            ctx.synchronize();
        }
    }

    @Benchmark
    public void lsgForwardBackward() {
        try (var s = DeviceScope.open()) {
            RlKernels.LogProbs<DeviceBuffer> fwd = k.logSoftmaxGather(logits, targets);
            k.logSoftmaxGatherBackward(logits, targets, fwd.lse(), gradLogprob);
            ctx.synchronize();
        }
    }

    @Benchmark
    public void gae() {
        try (var s = DeviceScope.open()) {
            k.gae(rewards, values, gaeMask, 0.99f, 0.95f);
            ctx.synchronize();
        }
    }

    @Benchmark
    public void k3MaskedMean() {
        try (var s = DeviceScope.open()) {
            k.kl(KlEstimators.Kind.K3, logp, ref, klMask, false);
            ctx.synchronize();
        }
    }
}
