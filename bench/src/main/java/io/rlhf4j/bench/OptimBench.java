package io.rlhf4j.bench;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.AdamW;
import io.rlhf4j.engine.random.Generator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The fused AdamW step and Philox normal sampling. An F32 AdamW step reads p, g, m, v and writes
 * p, m, v: 28 bytes per element, so elements / time × 28 is the memory bandwidth it reaches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class OptimBench {

    @Param({"16777216"})
    public int elements;

    private AdamW adamw;
    private Generator generator;

    @Setup
    public void setup() {
        generator = Generator.seed(0);
        Tensor p = generator.normal(new int[] {elements}, 0, 1, DType.F32).requiresGrad(true);
        p.setGrad(generator.normal(new int[] {elements}, 0, 1, DType.F32));
        adamw = new AdamW(List.of(p), 1e-4);
    }

    @Benchmark
    public void adamwStep() {
        adamw.step();
    }

    @Benchmark
    public Tensor normalF32() {
        return generator.normal(new int[] {elements}, 0, 1, DType.F32);
    }
}
