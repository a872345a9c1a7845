package io.rlhf4j.bench;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import java.util.SplittableRandom;
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
 * Softmax over the last dimension of an F32 [rows, cols] tensor: forward alone, and forward plus
 * backward (through autograd, into a leaf gradient that is allocated once and accumulated into).
 *
 * <p>Bytes moved per op, for GB/s = bytes × ops/s (the minimum DRAM traffic, each array streamed
 * once; rows of up to ~128 KiB stay in cache between the max, exp-sum and scale passes):
 * <ul>
 *   <li>{@code forward}: read x, write y = 8·rows·cols bytes
 *       (2048 × 4096: 67 MB; 2048 × 32000: 524 MB; 2048 × 151936: 2.49 GB).
 *   <li>{@code forwardBackward}: forward 8 B/element, backward kernel reads y and g and writes dx
 *       (12 B/element), accumulation into x.grad reads grad and dx and writes grad (12 B/element):
 *       32·rows·cols bytes.
 * </ul>
 * Memory: x and g plus the gradient are resident (12·rows·cols bytes), y and dx come from the
 * pool per op; at cols = 151936 and rows = 2048 that is about 5 GB in all. Pass
 * {@code -p rows=256} for a quick run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:-TieredCompilation"})
public class SoftmaxBench {

    @Param({"2048"})
    public int rows;

    @Param({"4096", "32000", "151936"})
    public int cols;

    private Tensor x;
    private Tensor xGrad;
    private Tensor g;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        float[] v = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 20 - 10);
        }
        x = Tensor.of(v, rows, cols);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() - 0.5);
        }
        g = Tensor.of(v, rows, cols);
        xGrad = x.detach().requiresGrad(true);
    }

    /** Returns a checksum element so the work cannot be optimised away. */
    @Benchmark
    public double forward() {
        try (var s = Memory.scope()) {
            return x.softmax(-1).get(rows - 1, cols - 1);
        }
    }

    @Benchmark
    public double forwardBackward() {
        try (var s = Memory.scope()) {
            xGrad.softmax(-1).backward(g);
            return xGrad.grad().get(rows - 1, cols - 1);
        }
    }
}
