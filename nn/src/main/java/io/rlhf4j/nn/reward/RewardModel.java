package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.StateDictException;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.TrainableModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The specification's RewardModel: a base transformer (transformers' AutoModel — LlamaModel and
 * its relatives or GPT2Model, without lm_head) whose final hidden states are pooled to one vector
 * per sequence ({@link Pooling}: last non-padding token by default, or the masked mean) and
 * mapped to a scalar reward by a head ({@link HeadType}).
 *
 * <p>Parameter names: the backbone's under {@code model.} (Llama family) or {@code transformer.}
 * (GPT-2), as in transformers' task models; the MLP head's as {@code reward_head.0.weight} [I, H],
 * {@code reward_head.0.bias} [I], {@code reward_head.3.weight} [1, I], {@code reward_head.3.bias}
 * [1] (torch's nn.Sequential indices: 1 is the GELU, 2 the dropout); the score head's as
 * {@code score.weight} [1, H], exactly transformers' *ForSequenceClassification with num_labels 1.
 *
 * <p>Position ids come from the attention mask (cumsum(mask) − 1, as transformers' generate),
 * so a left-padded row scores exactly like its right-padded twin. transformers' own
 * *ForSequenceClassification forward without position_ids uses 0 … T−1 instead, which agrees for
 * right padding only; pass position_ids there to compare left-padded batches.
 *
 * <p>Files ({@link #savePretrained}, {@link #fromPretrained}) are described in {@link RewardModelFiles}.
 */
public final class RewardModel extends Module implements TrainableModel {

    /** Seeds the head's dropout masks. */
    private static final long DROPOUT_SEED = 0x3C6EF372FE94F82BL;

    private final ModelConfig config;
    private final RewardConfig rewardConfig;
    private final DType dtype;
    private final Module backbone;
    private final MlpRewardHead mlpHead;
    private final Linear score;

    private RewardModel(ModelConfig config, RewardConfig rewardConfig, DType dtype) {
        this.config = config;
        this.rewardConfig = rewardConfig;
        this.dtype = dtype;
        backbone = registerModule(Backbones.prefix(config), Backbones.create(config, dtype));
        if (rewardConfig.headType() == HeadType.MLP) {
            mlpHead = registerModule("reward_head", new MlpRewardHead(config.hiddenSize(),
                    rewardConfig.innerSize(config.hiddenSize()), rewardConfig.headDropout(), DROPOUT_SEED, dtype));
            score = null;
        } else {
            mlpHead = null;
            score = registerModule("score", new Linear(config.hiddenSize(), 1, false, dtype));
        }
    }

    /** A reward model with zero weights (norm weights one), in training mode; load or initialise it next. */
    public static RewardModel create(ModelConfig config, RewardConfig rewardConfig, DType dtype) {
        return new RewardModel(config, rewardConfig, dtype);
    }

    /**
     * A new reward model on the backbone of a Hugging Face checkpoint (an SFT policy's causal LM,
     * a base model, or a sequence classifier: their heads are dropped), parameters in F32, head
     * initialised with {@link #initialiseHead}; in training mode.
     */
    public static RewardModel fromBase(Path modelDirectory, RewardConfig rewardConfig, Generator generator)
            throws IOException {
        ModelConfig config = ModelConfig.read(modelDirectory);
        RewardModel model = create(config, rewardConfig, DType.F32);
        model.loadBackbone(Safetensors.loadCheckpoint(modelDirectory), modelDirectory.toString());
        model.initialiseHead(generator);
        return model;
    }

    /** Loads a reward model saved by {@link #savePretrained} or a transformers *ForSequenceClassification folder (F32). */
    public static RewardModel fromPretrained(Path directory) throws IOException {
        return RewardModelFiles.load(directory, DType.F32);
    }

    /** As {@link #fromPretrained(Path)} with parameters stored in {@code dtype} (compute is F32 either way). */
    public static RewardModel fromPretrained(Path directory, DType dtype) throws IOException {
        return RewardModelFiles.load(directory, dtype);
    }

    /** The module tree: this model itself. */
    @Override
    public Module module() {
        return this;
    }

    /** {@link #savePretrained}. */
    @Override
    public void save(Path directory) throws IOException {
        savePretrained(directory);
    }

    /** Writes the model so that {@link #fromPretrained} (and, for the backbone or score layout, transformers) loads it. */
    public void savePretrained(Path directory) throws IOException {
        RewardModelFiles.save(this, directory);
    }

    /**
     * The head's initialisation for a new reward model: the MLP head as
     * {@link MlpRewardHead#initialise}; the score weight normal(0, 1/√(H+1)) likewise.
     */
    public void initialiseHead(Generator generator) {
        if (mlpHead != null) {
            mlpHead.initialise(generator);
            return;
        }
        try (var _ = Memory.scope()) {
            score.weight().load(generator.normal(score.weight().shape(), 0, 1 / Math.sqrt(config.hiddenSize() + 1.0),
                    DType.F32));
        }
    }

    /** Copies the backbone tensors of {@code checkpoint} (see {@link Backbones#backboneState}); {@code source} names it in errors. */
    void loadBackbone(Map<String, Tensor> checkpoint, String source) {
        try {
            backbone.loadStateDict(Backbones.backboneState(checkpoint, config), true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException(Backbones.baseArchitecture(config) + " (model_type " + config.modelType()
                    + ") does not match the weights in " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewards [B] (F32), differentiable in the parameters. {@code inputIds} [B, T] (I64 or I32),
     * {@code attentionMask} [B, T] (non-zero = token; padding left or right, every row at least one token).
     */
    public Tensor rewards(Tensor inputIds, Tensor attentionMask) {
        checkInputs(inputIds, attentionMask);
        Tensor hidden = Backbones.hiddenStates(backbone, config, inputIds, attentionMask);
        Tensor r = head(rewardConfig.pooling().pool(hidden, attentionMask));
        return r.dtype() == DType.F32 ? r : r.to(DType.F32);
    }

    /**
     * The head read at every position instead of pooled, [B, T] (F32), differentiable in the
     * parameters: TRL's value model is a sequence classifier whose {@code score(hidden_states[-1])}
     * is taken per token. Inputs as {@link #rewards}.
     */
    public Tensor tokenRewards(Tensor inputIds, Tensor attentionMask) {
        checkInputs(inputIds, attentionMask);
        Tensor hidden = Backbones.hiddenStates(backbone, config, inputIds, attentionMask);
        int b = hidden.shape(0);
        int t = hidden.shape(1);
        Tensor r = head(hidden.reshape(b * t, hidden.shape(2))).reshape(b, t);
        return r.dtype() == DType.F32 ? r : r.to(DType.F32);
    }

    private static void checkInputs(Tensor inputIds, Tensor attentionMask) {
        if (inputIds.rank() != 2 || inputIds.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("input ids must be an integer tensor [batch, seq], got "
                    + inputIds.dtype() + Arrays.toString(inputIds.shape()));
        }
        if (attentionMask == null || !Arrays.equals(attentionMask.shape(), inputIds.shape())) {
            throw new IllegalArgumentException("attention mask must be " + Arrays.toString(inputIds.shape())
                    + " like the input ids, got " + (attentionMask == null ? "null" : Arrays.toString(attentionMask.shape())));
        }
    }

    /** The head alone: pooled hidden states [B, H] → rewards [B] (same dtype as the input). */
    public Tensor head(Tensor pooled) {
        return mlpHead != null ? mlpHead.forward(pooled) : score.forward(pooled).squeeze(1);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public RewardConfig rewardConfig() {
        return rewardConfig;
    }

    /** The dtype parameters are stored in. */
    public DType parameterDType() {
        return dtype;
    }

    /** The base transformer (a LlamaModel or GPT2Model), its parameters named without prefix. */
    public Module backbone() {
        return backbone;
    }

    /** The head module: an {@link MlpRewardHead} or the score {@link Linear}. */
    public Module headModule() {
        return mlpHead != null ? mlpHead : score;
    }
}
