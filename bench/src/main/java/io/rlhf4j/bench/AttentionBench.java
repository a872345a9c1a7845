package io.rlhf4j.bench;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Causal flash attention (F.scaledDotProductAttention) with SmolLM-135M's head layout: B = 1,
 * Hq = 9 query heads sharing Hkv = 3 key/value heads, D = 64, T = S.
 *
 * <p>FLOPs, counted as FlashAttention-2 does: the causal mask leaves P = B·Hq·T·(T+1)/2
 * query-key pairs; the forward costs 4·D·P (q·k and p·v) and the backward 10·D·P (2.5× the
 * forward), 14·D·P for forward + backward — 4.2 GFLOP at T = 1024 (P = 4.72 million). This CPU kernel's
 * deterministic two-pass backward really executes 14·D·P in backward (it recomputes P in both
 * passes), so the useful rate reported by 14·D·P / time understates the arithmetic done.
 * Bytes: q, k, v, output and gradients are each at most B·Hq·T·D·4 bytes (2.4 MB at T = 1024);
 * the kernel keeps no [T, S] matrix, only a per-query log-sum-exp, so the working set fits in cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class AttentionBench {

    @Param({"256", "512", "1024"})
    public int seq;

    private static final int BATCH = 1;
    private static final int QUERY_HEADS = 9;
    private static final int KV_HEADS = 3;
    private static final int DIM = 64;

    private Tensor q;
    private Tensor k;
    private Tensor v;

    private static Tensor random(Random r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) r.nextGaussian();
        }
        return Tensor.of(data, shape).requiresGrad(true);
    }

    @Setup
    public void setup() {
        Random r = new Random(3);
        q = random(r, BATCH, QUERY_HEADS, seq, DIM);
        k = random(r, BATCH, KV_HEADS, seq, DIM);
        v = random(r, BATCH, KV_HEADS, seq, DIM);
    }

    @Benchmark
    public float forward() {
        try (var s = Memory.scope(); var g = Grad.disabled()) {
            return (float) F.scaledDotProductAttention(q, k, v, null, true).get(0, 0, 0, 0);
        }
    }

    /** Forward and backward; the gradients accumulate into the leaves' existing .grad buffers. */
    @Benchmark
    public float forwardBackward() {
        try (var s = Memory.scope()) {
            F.scaledDotProductAttention(q, k, v, null, true).sum().backward();
            return (float) q.grad().get(0, 0, 0, 0);
        }
    }
}
