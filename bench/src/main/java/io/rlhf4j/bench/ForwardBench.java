package io.rlhf4j.bench;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.CausalLM;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Inference forward of a SmolLM-135M-shaped model ({@link SmolLmShape}) on [1, 128] tokens,
 * full logits [1, 128, 49152], no autograd. About 2·134.5M·128 ≈ 34 GFLOP (the lm_head alone
 * 2·128·576·49152 = 7.2 GFLOP); tokens/s = 128 / (seconds per op). Peer: bench/peers/torch_cpu.py.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class ForwardBench {

    static final int TOKENS = 128;

    private CausalLM model;
    private Tensor ids;

    @Setup
    public void setup() {
        model = SmolLmShape.model(0);
        ids = Generator.seed(1).randint(0, model.config().vocabSize(), 1, TOKENS);
    }

    @Benchmark
    public double forward() {
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            return model.forward(ids, null, null).get(0, TOKENS - 1, 0);
        }
    }
}
