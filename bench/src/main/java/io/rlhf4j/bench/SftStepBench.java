package io.rlhf4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.optim.AdamW;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.trainers.data.Collator;
import io.rlhf4j.trainers.data.SFTBatch;
import io.rlhf4j.trainers.data.SFTExample;
import io.rlhf4j.trainers.sft.CausalLMLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One SFT training step — forward, token cross-entropy, backward, AdamW update — of a model shaped
 * like SmolLM-135M (hidden 576, 30 layers, 9 heads, 3 KV heads, MLP 1536, vocabulary 49152, tied
 * embeddings; 134.5 M parameters, random N(0, 0.02) weights) on a batch of 2 × 256 tokens, all F32,
 * all labels counted. tokens/s = 512 / (seconds per step). The peer is bench/peers/torch_sft_step.py
 * (the same step in PyTorch). The teardown prints tokens/s and the fork's peak resident memory
 * (VmHWM: heap, pool and the off-heap weights, gradients and AdamW moments), comparable with
 * torch's ru_maxrss.
 *
 * <p>JVM settings: tensors live off-heap, so the heap holds only small objects and 1 GiB is plenty;
 * GC-managed tensor memory (weights, gradients, AdamW moments) counts against the direct-memory
 * limit, which defaults to the heap size, hence the separate 64 GiB cap. The serial collector has no
 * concurrent threads to take cores from the kernels (measured on 2 cores: 225.7 vs 215.3 tokens/s
 * with G1, peak RSS 3120 vs 3244 MiB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-XX:-TieredCompilation", "-Xmx1g", "-XX:MaxDirectMemorySize=64g", "-XX:+UseSerialGC"})
public class SftStepBench {

    static final int BATCH = 2;
    static final int TOKENS = 256;

    private PreTrainedCausalLM model;
    private AdamW adamw;
    private SFTBatch batch;
    private final List<Double> seconds = new ArrayList<>();

    /** SmolLM-135M's config.json fields that shape the model. */
    static ModelConfig smolLm135m() throws IOException {
        ObjectNode c = (ObjectNode) new ObjectMapper().readTree("""
                {"model_type": "llama", "vocab_size": 49152, "hidden_size": 576, "intermediate_size": 1536,
                 "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
                 "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                 "tie_word_embeddings": true, "torch_dtype": "float32"}""");
        return ModelConfig.parse(c, "SmolLM-135M");
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        model = AutoModelForCausalLM.fromConfig(smolLm135m(), DType.F32);
        Generator g = Generator.seed(0);
        for (Parameter p : model.parameters()) {
            if (p.shape().length == 2) {
                // In a scope so the random source goes back to the pool at once, not when a GC runs.
                try (var _ = Memory.scope()) {
                    p.load(g.normal(p.shape(), 0, 0.02, DType.F32));
                }
            }
        }
        model.train();
        List<Tensor> params = model.parameters().stream().map(Parameter::tensor).toList();
        adamw = new AdamW(params, 1e-4, 0.9, 0.999, 1e-8, 0.0);
        List<SFTExample> rows = new ArrayList<>();
        long[] ids = g.randint(0, 49152, BATCH * TOKENS).toLongArray();
        for (int r = 0; r < BATCH; r++) {
            rows.add(SFTExample.allTokens(java.util.Arrays.copyOfRange(ids, r * TOKENS, (r + 1) * TOKENS)));
        }
        batch = new Collator(0).collate(rows);
        // The random draws above left pool blocks of weight sizes no step uses: give them back.
        Memory.pool().trim();
    }

    @Benchmark
    public double step() {
        long start = System.nanoTime();
        double loss;
        try (var _ = Memory.scope()) {
            Tensor l = CausalLMLoss.sum(model, batch).div(batch.lossTokens());
            l.backward();
            adamw.step();
            adamw.zeroGrad();
            loss = l.item();
        }
        seconds.add((System.nanoTime() - start) / 1e9);
        return loss;
    }

    @TearDown(Level.Trial)
    public void report() throws IOException {
        List<Double> sorted = seconds.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .findFirst().orElse("VmHWM: ?");
        System.out.printf("%nSFT step SmolLM-135M shape, %d x %d tokens, F32: median %.2f s/step, %.1f tokens/s over %d"
                + " steps (warmup included); peak RSS %s; pool reserved %.0f MiB; heap used %.0f MiB%n", BATCH, TOKENS,
                median, BATCH * TOKENS / median, sorted.size(), hwm.replaceAll("\\s+", " "),
                Memory.pool().stats().bytesReserved() / 1048576.0,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0);
    }
}
