package io.rlhf4j.bench;

import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.CpuMemoryPool.PoolStats;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * F.logSoftmaxGather over F32 logits [B·T, V] with B·T = 2048 and V = 151936 (Qwen2's
 * vocabulary): 1.24 GB of logits.
 *
 * <p>Forward: reads the logits once (4·B·T·V bytes) and takes one exp per logit (B·T·V exps,
 * about 3·B·T·V FLOPs with the max and sum), so its limit is memory bandwidth or exp throughput.
 * Forward + backward: the backward reads the logits again and writes the B·T·V gradient (another
 * 8·B·T·V bytes, B·T·V exps); this benchmark's leaf also accumulates that gradient into its .grad
 * (one more read and write of B·T·V), as a step with gradient accumulation would.
 *
 * <p>Memory: the forward's extra memory is O(B·T) — its output and the saved per-row
 * log-sum-exp — never O(B·T·V). The tear-down runs one forward in a fresh scope and prints the
 * memory pool's bytes in use before, during and after it; "extra during forward" should read
 * kilobytes (2048 rows × (4 + 8) bytes, rounded up to the pool's size classes), against
 * 1.24 GB for one B·T·V F32 temporary. JMH's {@code -prof gc} figures show heap allocation only
 * (the per-task chunk buffers, a few KB), since tensors live off-heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation", "-XX:MaxDirectMemorySize=8g"})
public class LogSoftmaxGatherBench {

    @Param({"2048"})
    public int rows;

    @Param({"151936"})
    public int vocab;

    private Tensor logits;
    private Tensor ids;

    @Setup
    public void setup() {
        Random r = new Random(7);
        float[] v = new float[Math.multiplyExact(rows, vocab)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
        }
        logits = Tensor.of(v, rows, vocab).requiresGrad(true);
        long[] id = new long[rows];
        for (int i = 0; i < rows; i++) {
            id[i] = r.nextInt(vocab);
        }
        ids = Tensor.ofLongs(id, rows);
    }

    @Benchmark
    public float forward() {
        try (var s = Memory.scope(); var g = Grad.disabled()) {
            return (float) F.logSoftmaxGather(logits, ids).get(0);
        }
    }

    @Benchmark
    public float forwardBackward() {
        try (var s = Memory.scope()) {
            F.logSoftmaxGather(logits, ids).sum().backward();
            return (float) logits.grad().get(0, 0);
        }
    }

    /** Prints the pool's bytes in use around one forward (the O(B·T) extra-memory check). */
    @TearDown
    public void reportForwardMemory() {
        PoolStats before = Memory.pool().stats();
        long during;
        try (var s = Memory.scope(); var g = Grad.disabled()) {
            F.logSoftmaxGather(logits, ids);
            during = Memory.pool().stats().bytesInUse();
        }
        PoolStats after = Memory.pool().stats();
        long logitsBytes = 4L * rows * vocab;
        System.out.printf("%nlogSoftmaxGather [%d, %d] F32: pool bytes in use before %d, during forward %d, after %d; "
                + "extra during forward %d bytes (one B·T·V F32 temporary would be %d bytes); pool reserved %d bytes%n",
                rows, vocab, before.bytesInUse(), during, after.bytesInUse(), during - before.bytesInUse(), logitsBytes,
                after.bytesReserved());
    }
}
