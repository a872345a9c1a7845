package io.rlhf4j.nn.value;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import io.rlhf4j.nn.reward.RewardConfig;
import io.rlhf4j.nn.reward.RewardModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The specification's ValueModel: per-token value predictions V(s_t) for PPO's GAE.
 *
 * <p><b>Separate backbone</b> (the default, as TRL's PPOTrainer): a transformers
 * *ForSequenceClassification with num_labels 1 whose {@code score} Linear is read at every
 * position ({@link RewardModel#tokenRewards}). It is a score-head {@link RewardModel} and is saved
 * and loaded in exactly that layout, so a trained reward model can initialise it and transformers
 * loads the saved folder.
 *
 * <p><b>Shared backbone</b>: only a {@code score} Linear(H, 1) on the policy's final hidden states
 * ({@link PreTrainedCausalLM#lastHiddenState}); the policy's optimizer owns the backbone, so the
 * value loss trains it too. Saved as {@value #SHARED_HEAD_FILE} holding {@code score.weight}.
 */
public final class ValueModel extends Module {

    /** The head file of a shared-backbone value model. */
    public static final String SHARED_HEAD_FILE = "value_head.safetensors";

    private final RewardModel separate;
    private final PreTrainedCausalLM policy;
    private final Linear score;

    private ValueModel(RewardModel separate, PreTrainedCausalLM policy) {
        this.separate = separate;
        this.policy = policy;
        if (separate != null) {
            registerModule("value_model", separate);
            score = null;
        } else {
            score = registerModule("score", new Linear(policy.config().hiddenSize(), 1, false, DType.F32));
        }
    }

    /** A value model with its own backbone: {@code model} must have the score head. */
    public static ValueModel separate(RewardModel model) {
        if (!(model.headModule() instanceof Linear)) {
            throw new IllegalArgumentException("a value model needs the score head (head_type score), got "
                    + model.rewardConfig().headType());
        }
        return new ValueModel(model, null);
    }

    /**
     * A value model with its own backbone from a folder: a reward model saved with the score head
     * (its head is kept, TRL's usual initialisation from the reward model) or any other Hugging Face
     * checkpoint (its backbone, with a new score head drawn from {@code generator}).
     */
    public static ValueModel fromPretrained(Path directory, Generator generator) throws IOException {
        boolean scoreModel = Files.exists(directory.resolve("reward_config.json"))
                || Files.readString(directory.resolve("config.json")).contains("ForSequenceClassification");
        RewardModel m = scoreModel ? RewardModel.fromPretrained(directory)
                : RewardModel.fromBase(directory, RewardConfig.score(), generator);
        return separate(m);
    }

    /** A new score head on {@code policy}'s hidden states, weight normal(0, 1/√(H+1)) as RewardModel's. */
    public static ValueModel shared(PreTrainedCausalLM policy, Generator generator) {
        ValueModel v = new ValueModel(null, policy);
        try (var _ = Memory.scope()) {
            v.score.weight().load(generator.normal(v.score.weight().shape(), 0,
                    1 / Math.sqrt(policy.config().hiddenSize() + 1.0), DType.F32));
        }
        return v;
    }

    /** A shared-backbone head saved by {@link #savePretrained}, on {@code policy}. */
    public static ValueModel loadShared(Path directory, PreTrainedCausalLM policy) throws IOException {
        ValueModel v = new ValueModel(null, policy);
        Map<String, Tensor> state = Safetensors.load(directory.resolve(SHARED_HEAD_FILE));
        v.loadStateDict(state, true);
        return v;
    }

    public boolean sharesBackbone() {
        return separate == null;
    }

    /**
     * Values [B, T] (F32) at every position of {@code inputIds} [B, T] with {@code attentionMask}
     * [B, T] (non-zero = token): position t holds V of the state after token t.
     */
    public Tensor values(Tensor inputIds, Tensor attentionMask) {
        if (separate != null) {
            return separate.tokenRewards(inputIds, attentionMask);
        }
        return valuesOf(policy.lastHiddenState(inputIds, attentionMask, null));
    }

    /** The shared head on hidden states [B, T, H] already computed by the policy: values [B, T]. */
    public Tensor valuesOf(Tensor hidden) {
        if (score == null) {
            throw new IllegalStateException("valuesOf needs a shared-backbone value model");
        }
        int b = hidden.shape(0);
        int t = hidden.shape(1);
        return score.forward(hidden.reshape(b * t, hidden.shape(2))).reshape(b, t);
    }

    /** The separate model (null when the backbone is shared). */
    public RewardModel separateModel() {
        return separate;
    }

    /** Writes the separate model as a score-head reward model folder, or the shared head as {@value #SHARED_HEAD_FILE}. */
    public void savePretrained(Path directory) throws IOException {
        if (separate != null) {
            separate.savePretrained(directory);
            return;
        }
        Files.createDirectories(directory);
        Safetensors.save(directory.resolve(SHARED_HEAD_FILE), stateDict(), Map.of("format", "pt"));
    }
}
