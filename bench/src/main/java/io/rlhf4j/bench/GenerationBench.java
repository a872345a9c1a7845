package io.rlhf4j.bench;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.policy.PolicyModel;
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
 * Greedy generation of 64 new tokens after a 32-token prompt (batch 1, KV cache) with a
 * SmolLM-135M-shaped model ({@link SmolLmShape}); tokens/s = 64 / (seconds per op). Each decode
 * step reads every weight once (≈ 538 MB in F32), so on a CPU it is bound by memory bandwidth and
 * by the M = 1 matrix products, the lm_head's 49152 × 576 above all. {@code weights}: F32 (the
 * default, exact) or BF16 ({@link PolicyModel#prepareForInference}: decode steps read BF16 weight
 * snapshots, half the bytes). Peer: bench/peers/torch_cpu.py.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 2, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation"})
public class GenerationBench {

    static final int PROMPT = 32;
    static final int NEW_TOKENS = 64;

    @Param({"F32", "BF16"})
    public String weights;

    private PolicyModel policy;
    private PromptBatch prompt;
    private GenerationConfig config;

    @Setup
    public void setup() {
        policy = new PolicyModel(SmolLmShape.model(0));
        policy.prepareForInference(DType.valueOf(weights));
        var ids = Generator.seed(1).randint(0, policy.model().config().vocabSize(), 1, PROMPT);
        prompt = new PromptBatch(ids, Tensor.ones(DType.I64, 1, PROMPT));
        config = GenerationConfig.defaults().withMaxNewTokens(NEW_TOKENS).withPadTokenId(0L);
    }

    @Benchmark
    public int generate() {
        return policy.generate(prompt, config).newColumns();
    }
}
