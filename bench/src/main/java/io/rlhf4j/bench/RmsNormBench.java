package io.rlhf4j.bench;

import io.rlhf4j.engine.DType;
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
 * F.rmsNorm on F32 [rows, dim] (SmolLM-135M width 576, Llama-7B width 4096).
 *
 * <p>Per forward: reads x and writes y (8·rows·dim bytes, plus the weight once), about
 * 4·rows·dim FLOPs (square-accumulate, then scale and weight) — memory-bound, so compare
 * 8·rows·dim / time with the machine's copy bandwidth. Forward + backward: the backward reads g,
 * x, w and writes dx (16·rows·dim bytes) plus the weight-gradient partials, about 8·rows·dim
 * FLOPs; 24·rows·dim bytes in all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class RmsNormBench {

    @Param({"2048"})
    public int rows;

    @Param({"576", "4096"})
    public int dim;

    private Tensor x;
    private Tensor weight;
    private Tensor gradOut;

    @Setup
    public void setup() {
        Random r = new Random(1);
        float[] v = new float[rows * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        x = Tensor.of(v, rows, dim).requiresGrad(true);
        weight = Tensor.ones(DType.F32, dim).requiresGrad(true);
        gradOut = Tensor.of(v, rows, dim);
    }

    @Benchmark
    public float forward() {
        try (var s = Memory.scope(); var g = Grad.disabled()) {
            return (float) F.rmsNorm(x, weight, 1e-6).get(0, 0);
        }
    }

    /** Forward and backward; the gradients accumulate into the leaves' existing .grad buffers. */
    @Benchmark
    public float forwardBackward() {
        try (var s = Memory.scope()) {
            F.rmsNorm(x, weight, 1e-6).backward(gradOut);
            return (float) weight.grad().get(0);
        }
    }
}
