package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.generation.Generation;
import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.generation.GenerationResult;
import io.rlhf4j.nn.generation.PromptBatch;
import io.rlhf4j.nn.generation.TokenDecoder;
import io.rlhf4j.nn.generation.TokenStreamer;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.PolicyModel;
import java.util.List;

/**
 * An ensemble of policies that share one tokenizer (same vocabulary size), generating as one
 * policy with the same {@code generate} methods and results as {@link PolicyModel}. At each step
 * every member runs on the same tokens (each with its own KV cache) and their next-token logits
 * are combined per {@link Mode}; the combined scores then go through nn's ordinary decoding loop
 * (greedy argmax, or the config's warpers and seeded sampling, stop tokens and strings).
 */
public final class EnsemblePolicy {

    /** How members' next-token logits are combined. */
    public enum Mode {
        /** The mean of the raw logits (the specification's average-logit decoding; the default). */
        AVERAGE_LOGITS,
        /** The mean of log-softmax: sampling then follows the normalised geometric mean of the probabilities. */
        AVERAGE_LOG_PROBS,
        /**
         * Each member proposes a token (its argmax, or a draw from its warped distribution when
         * sampling); the majority wins, ties broken by the higher mean log-probability, then the lower id.
         */
        VOTING
    }

    private final List<PolicyModel> members;
    private final Mode mode;

    public EnsemblePolicy(List<PolicyModel> members, Mode mode) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one member");
        }
        int vocab = members.getFirst().model().config().vocabSize();
        for (int i = 1; i < members.size(); i++) {
            int v = members.get(i).model().config().vocabSize();
            if (v != vocab) {
                throw new IllegalArgumentException("ensemble member " + i + " has vocab_size " + v + " where member 0 has "
                        + vocab + "; members must share one tokenizer");
            }
        }
        this.members = List.copyOf(members);
        this.mode = mode;
    }

    /** An average-logits ensemble. */
    public EnsemblePolicy(List<PolicyModel> members) {
        this(members, Mode.AVERAGE_LOGITS);
    }

    public List<PolicyModel> members() {
        return members;
    }

    public Mode mode() {
        return mode;
    }

    /** transformers' defaults with the first member's EOS and pad ids. */
    public GenerationConfig generationConfig() {
        return members.getFirst().generationConfig();
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
     * Generates with every member in evaluation mode (each member's mode is restored), without
     * autograd; arguments as {@link PolicyModel#generate(PromptBatch, GenerationConfig, Generator,
     * TokenDecoder, TokenStreamer)}. Voting members draw their sampled proposals from {@code generator} too.
     */
    public GenerationResult generate(PromptBatch prompts, GenerationConfig config, Generator generator,
            TokenDecoder decoder, TokenStreamer streamer) {
        boolean[] training = new boolean[members.size()];
        for (int i = 0; i < members.size(); i++) {
            training[i] = members.get(i).module().isTraining();
            members.get(i).module().eval();
        }
        try {
            return Generation.generate(causalLM(config, generator), prompts, config, generator, decoder, streamer);
        } finally {
            for (int i = 0; i < members.size(); i++) {
                members.get(i).module().train(training[i]);
            }
        }
    }

    /**
     * The combined next-token scores [B, V] after {@code inputIds} [B, T] (greedy proposals for
     * voting), without autograd: what one decoding step reads.
     */
    public Tensor nextTokenScores(Tensor inputIds, Tensor attentionMask) {
        try (var _ = Grad.disabled()) {
            return causalLM(null, null).forwardLast(inputIds, attentionMask, null, null);
        }
    }

    /** The ensemble as one {@link CausalLM} (its forward combines the members' logits), for nn's decoding loop. */
    public CausalLM causalLM(GenerationConfig config, Generator generator) {
        return new EnsembleCausalLM(members.stream().map(PolicyModel::model).toList(), mode, config, generator);
    }
}
