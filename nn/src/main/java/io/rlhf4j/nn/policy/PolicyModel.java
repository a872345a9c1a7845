package io.rlhf4j.nn.policy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.ops.fused.Reduction;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenDecoder;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The policy of the specification: a causal language model with the two utilities every trainer
 * uses, {@code generate} (rollouts) and {@code getLogProbs} (response log-probabilities for
 * DPO, SimPO, KTO, GRPO and PPO losses and KL penalties), plus the labelled forward of SFT.
 */
public final class PolicyModel {

    private final CausalLM model;

    public PolicyModel(CausalLM model) {
        this.model = model;
    }

    /** Loads a Hugging Face model directory (see {@link AutoModelForCausalLM#fromPretrained(Path)}). */
    public static PolicyModel fromPretrained(Path directory) throws IOException {
        return new PolicyModel(AutoModelForCausalLM.fromPretrained(directory));
    }

    public CausalLM model() {
        return model;
    }

    public Module module() {
        return model.module();
    }

    /**
     * {@code weightDtype} BF16: every {@link Linear} (the tied lm_head included) takes a BF16
     * snapshot of its weight that decode steps (few rows, gradients off) read instead of the F32
     * weight: about twice the tokens/s of memory-bound decoding, with logits off by BF16 rounding
     * of the weights (greedy picks may then differ from F32). F32 (the default state) drops the
     * snapshots. Prepare again after the weights change (e.g. after an optimiser step).
     */
    public void prepareForInference(DType weightDtype) {
        prepareForInference(module(), weightDtype);
    }

    private static void prepareForInference(Module m, DType weightDtype) {
        if (m instanceof Linear linear) {
            linear.prepareForInference(weightDtype);
        }
        for (Module child : m.namedChildren().values()) {
            prepareForInference(child, weightDtype);
        }
    }

    /** transformers' defaults with this model's EOS and pad ids. */
    public GenerationConfig generationConfig() {
        return GenerationConfig.forModel(model.config());
    }

    /** Generates for prompts of any lengths (left-padded with the config's pad id), greedy or seeded sampling. */
    public GenerationResult generate(List<long[]> prompts, GenerationConfig config) {
        return generate(PromptBatch.leftPad(prompts, config.effectivePadTokenId()), config);
    }

    /** Generates for a left-padded batch; sampling draws from {@code Generator.seed(config.seed())}. */
    public GenerationResult generate(PromptBatch prompts, GenerationConfig config) {
        return generate(prompts, config, Generator.seed(config.seed()), null, TokenStreamer.NONE);
    }

    /**
     * Generates in evaluation mode (dropout off; the previous mode is restored), without autograd.
     *
     * @param generator the random stream for sampling (a child of the run's generator)
     * @param decoder   ids → text for stop strings, or null when the config has none
     * @param streamer  told of each token as it is generated
     */
    public GenerationResult generate(PromptBatch prompts, GenerationConfig config, Generator generator,
            TokenDecoder decoder, TokenStreamer streamer) {
        boolean training = module().isTraining();
        module().eval();
        try {
            return Generation.generate(model, prompts, config, generator, decoder, streamer);
        } finally {
            module().train(training);
        }
    }

    /** Logits [B, T, V]; position ids follow the attention mask (see {@link CausalLM#forward}). */
    public Tensor forward(Tensor inputIds, Tensor attentionMask) {
        return model.forward(inputIds, attentionMask, null);
    }

    /**
     * The forward SFT calls: logits, and with {@code labels} [B, T] (I64, −100 = ignored) the
     * mean cross-entropy of predicting labels[:, 1:] from logits[:, :−1], as transformers'
     * ForCausalLMLoss.
     */
    public CausalLMOutput forward(Tensor inputIds, Tensor attentionMask, Tensor labels) {
        Tensor logits = forward(inputIds, attentionMask);
        if (labels == null) {
            return new CausalLMOutput(logits, null);
        }
        if (!Arrays.equals(labels.shape(), inputIds.shape())) {
            throw new IllegalArgumentException("labels " + Arrays.toString(labels.shape())
                    + " must have the input ids' shape " + Arrays.toString(inputIds.shape()));
        }
        int rows = logits.shape(0);
        int seq = logits.shape(1);
        int vocab = logits.shape(2);
        Tensor shifted = logits.narrow(1, 0, seq - 1).reshape(rows * (seq - 1), vocab);
        Tensor targets = labels.narrow(1, 1, seq - 1).contiguous().reshape(rows * (seq - 1));
        return new CausalLMOutput(logits, F.crossEntropy(shifted, targets, F.IGNORE_INDEX, Reduction.MEAN, 0));
    }

    /**
     * Log-probabilities of the response tokens of {@code inputIds} [B, T], differentiable.
     *
     * @param attentionMask [B, T], 1 = token, 0 = padding (left or right)
     * @param promptLengths per row, the index of the first response token: the prompt's token
     *                      count for right-padded prompt + response rows (the datasets'
     *                      prompt_length), the padded prompt width for {@code generate}'s output.
     *                      Entry t is in the response when t + 1 ≥ promptLengths[b] and token
     *                      t + 1 is not padding.
     */
    public LogProbs getLogProbs(Tensor inputIds, Tensor attentionMask, int[] promptLengths) {
        int rows = inputIds.shape(0);
        int seq = inputIds.shape(1);
        if (promptLengths.length != rows) {
            throw new IllegalArgumentException("promptLengths has " + promptLengths.length + " entries for a batch of "
                    + rows + " rows");
        }
        if (seq < 2) {
            throw new IllegalArgumentException("log-probs need sequences of at least 2 tokens, got width " + seq);
        }
        Tensor logits = forward(inputIds, attentionMask);
        Tensor perToken = F.logSoftmaxGather(logits.narrow(1, 0, seq - 1), inputIds.narrow(1, 1, seq - 1));
        Tensor mask = responseMask(attentionMask, promptLengths, rows, seq);
        return new LogProbs(perToken.mul(mask), mask);
    }

    /** {@link #getLogProbs} without recording autograd (reference models, old log-probs). */
    public LogProbs getLogProbsNoGrad(Tensor inputIds, Tensor attentionMask, int[] promptLengths) {
        try (var _ = Grad.disabled()) {
            return getLogProbs(inputIds, attentionMask, promptLengths);
        }
    }

    private static Tensor responseMask(Tensor attentionMask, int[] promptLengths, int rows, int seq) {
        double[] m = attentionMask == null ? null : attentionMask.toDoubleArray();
        float[] out = new float[rows * (seq - 1)];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < seq - 1; t++) {
                boolean token = m == null || m[b * seq + t + 1] != 0;
                out[b * (seq - 1) + t] = token && t + 1 >= promptLengths[b] ? 1 : 0;
            }
        }
        return Tensor.of(out, rows, seq - 1);
    }
}
