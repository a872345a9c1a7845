package io.rlhf4j.trainers.pipeline;

import io.rlhf4j.nn.generation.GenerationConfig;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import io.rlhf4j.trainers.data.GRPODataset;
import io.rlhf4j.trainers.data.GRPOExample;
import io.rlhf4j.trainers.data.GRPOPromptEncoder;
import io.rlhf4j.trainers.eval.Completion;
import io.rlhf4j.trainers.eval.Sampler;
import io.rlhf4j.trainers.grpo.RewardFunction;
import io.rlhf4j.trainers.grpo.RewardFunctions;
import io.rlhf4j.trainers.loop.RunInputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The pipeline's task metric: the fraction of {prompt, answer} records whose greedy completion
 * (at most {@code maxNewTokens} tokens) the {@code exact_match} reward accepts (for a numeric answer,
 * the completion's last number equals it). Greedy decoding makes it deterministic, so two policies
 * are compared on the same footing.
 */
public final class TaskAccuracy {

    private final Path promptFile;
    private final int maxNewTokens;

    public TaskAccuracy(Path promptFile, int maxNewTokens) {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("accuracy_max_new_tokens must be >= 1, got " + maxNewTokens);
        }
        this.promptFile = promptFile;
        this.maxNewTokens = maxNewTokens;
    }

    /** Accuracy in [0, 1] of the model (and tokenizer) saved in {@code modelDir}. */
    public double measure(Path modelDir) throws IOException {
        Path dir = RunInputs.requirePath("pipeline", "model", modelDir.toString());
        CausalLM model = AutoModelForCausalLM.fromPretrained(dir);
        HfTokenizer tokenizer = HfTokenizer.load(dir);
        List<GRPOExample> examples = GRPODataset.load(promptFile, new GRPOPromptEncoder(tokenizer, null), false)
                .examples();
        long padId = RunInputs.padId(tokenizer.specialTokens(), dir);
        GenerationConfig g = GenerationConfig.forModel(model.config());
        if (g.eosTokenIds().isEmpty()) {
            g = g.withEosTokenIds(tokenizer.specialTokens().eosIds());
        }
        g = g.withDoSample(false).withMaxNewTokens(maxNewTokens).withPadTokenId(padId);
        List<Completion> answers = new Sampler(g, 1, 16, 0).sample(model,
                examples.stream().map(GRPOExample::promptIds).toList());
        RewardFunction exact = RewardFunctions.exactMatch("answer");
        int right = 0;
        for (Completion c : answers) {
            GRPOExample e = examples.get(c.prompt());
            right += exact.score(e.prompt(), tokenizer.decode(c.ids(), true), e.columns()) > 0 ? 1 : 0;
        }
        return examples.isEmpty() ? 0 : (double) right / examples.size();
    }
}
