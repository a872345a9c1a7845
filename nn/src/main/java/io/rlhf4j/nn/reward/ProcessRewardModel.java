package io.rlhf4j.nn.reward;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The specification's ProcessRewardModel: the reward model's backbone with a token-classification
 * head that scores every step of a solution (process supervision), exactly transformers'
 * *ForTokenClassification as TRL's PRMTrainer trains it: {@code score} (Llama family) or
 * {@code classifier} (GPT-2) = Linear(hidden, num_labels) with bias read at every position;
 * label 1 means "the step is good", 0 "bad" (num_labels 2 by default).
 *
 * <p>"Optional boundary detection" maps to {@link StepBoundaries}: a step ends where the step
 * separator's token ids end, and the model's scores are read there ({@link #stepScores}). No
 * learned boundary detector is built: TRL's process supervision marks boundaries with the
 * separator, and the separator is what the model is trained to score.
 *
 * <p>The classifier dropout of transformers' model is not applied (TRL's disable_dropout default),
 * so training and evaluation forwards agree. Position ids come from the attention mask, as in
 * {@link RewardModel}. Files: {@link #savePretrained} writes transformers' layout
 * (config.json with architectures [*ForTokenClassification] and id2label, model.safetensors with
 * the prefixed backbone and the head), which transformers and {@link #fromPretrained} load.
 */
public final class ProcessRewardModel extends Module implements TrainableModel {

    /** The label of a good step, whose probability {@link #stepScores} returns. */
    public static final int GOOD_LABEL = 1;

    private final ModelConfig config;
    private final int numLabels;
    private final DType dtype;
    private final Module backbone;
    private final Linear head;

    private ProcessRewardModel(ModelConfig config, int numLabels, DType dtype) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("num_labels must be at least 2 (bad, good), got " + numLabels);
        }
        this.config = config;
        this.numLabels = numLabels;
        this.dtype = dtype;
        backbone = registerModule(Backbones.prefix(config), Backbones.create(config, dtype));
        head = registerModule(headName(config), new Linear(config.hiddenSize(), numLabels, true, dtype));
    }

    /** A model with zero weights (norm weights one), in training mode; load or initialise it next. */
    public static ProcessRewardModel create(ModelConfig config, int numLabels, DType dtype) {
        return new ProcessRewardModel(config, numLabels, dtype);
    }

    /**
     * A new PRM on the backbone of a Hugging Face checkpoint (a causal LM, base model or classifier:
     * its head is dropped), F32, head initialised as transformers does (weight normal(0,
     * initializer_range), bias 0); in training mode.
     */
    public static ProcessRewardModel fromBase(Path modelDirectory, int numLabels, Generator generator)
            throws IOException {
        ModelConfig config = ModelConfig.read(modelDirectory);
        ProcessRewardModel model = create(config, numLabels, DType.F32);
        model.loadBackbone(Safetensors.loadCheckpoint(modelDirectory), modelDirectory.toString());
        double std = config.raw().path("initializer_range").asDouble(0.02);
        try (var _ = Memory.scope()) {
            model.head.weight().load(generator.normal(model.head.weight().shape(), 0, std, DType.F32));
        }
        return model;
    }

    /** Loads a PRM saved by {@link #savePretrained} or a transformers *ForTokenClassification folder (F32), in eval mode. */
    public static ProcessRewardModel fromPretrained(Path directory) throws IOException {
        return ProcessRewardModelFiles.load(directory, DType.F32);
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

    /** Writes transformers' *ForTokenClassification layout. */
    public void savePretrained(Path directory) throws IOException {
        ProcessRewardModelFiles.save(this, directory);
    }

    /** transformers' name of the head: "score" (GenericForTokenClassification) or "classifier" (GPT-2). */
    static String headName(ModelConfig config) {
        return config.isLlamaFamily() ? "score" : "classifier";
    }

    void loadBackbone(Map<String, Tensor> checkpoint, String source) {
        Map<String, Tensor> withoutHead = new LinkedHashMap<>(checkpoint);
        withoutHead.keySet().removeIf(k -> k.startsWith("classifier."));
        try {
            backbone.loadStateDict(Backbones.backboneState(withoutHead, config), true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException(Backbones.baseArchitecture(config) + " (model_type " + config.modelType()
                    + ") does not match the weights in " + source + ": " + e.getMessage(), e);
        }
    }

    void loadHead(Map<String, Tensor> state, String source) {
        try {
            head.loadStateDict(state, true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException(source + ": the token-classification head (" + config.hiddenSize()
                    + " → " + numLabels + " labels) does not match: " + e.getMessage(), e);
        }
    }

    /**
     * Per-token logits [B, T, num_labels] (F32), differentiable in the parameters. {@code inputIds}
     * [B, T] (I64 or I32), {@code attentionMask} [B, T] (non-zero = token, every row at least one).
     */
    public Tensor logits(Tensor inputIds, Tensor attentionMask) {
        if (inputIds.rank() != 2 || inputIds.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("input ids must be an integer tensor [batch, seq], got "
                    + inputIds.dtype() + Arrays.toString(inputIds.shape()));
        }
        if (attentionMask == null || !Arrays.equals(attentionMask.shape(), inputIds.shape())) {
            throw new IllegalArgumentException("attention mask must be " + Arrays.toString(inputIds.shape())
                    + " like the input ids, got " + (attentionMask == null ? "null" : Arrays.toString(attentionMask.shape())));
        }
        Tensor hidden = Backbones.hiddenStates(backbone, config, inputIds, attentionMask);
        int b = hidden.shape(0);
        int t = hidden.shape(1);
        Tensor out = head.forward(hidden.reshape(b * t, hidden.shape(2))).reshape(b, t, numLabels);
        return out.dtype() == DType.F32 ? out : out.to(DType.F32);
    }

    /** As {@link #stepScores(Tensor, Tensor, long[])} for a one-token separator. */
    public double[][] stepScores(Tensor inputIds, Tensor attentionMask, long separatorId) {
        return stepScores(inputIds, attentionMask, new long[] {separatorId});
    }

    /**
     * For each row, the probability that each step is good: softmax over the labels of the logits
     * at each step boundary ({@link StepBoundaries}: where {@code separatorIds} end, among the
     * row's tokens), entry {@link #GOOD_LABEL}. Rows must be right-padded (tokens first). No
     * gradient is recorded. Aggregate a row with {@link StepAggregation}.
     */
    public double[][] stepScores(Tensor inputIds, Tensor attentionMask, long[] separatorIds) {
        int b = inputIds.shape(0);
        int t = inputIds.shape(1);
        double[] logits;
        try (var _ = Grad.disabled(); var _ = Memory.scope()) {
            logits = logits(inputIds, attentionMask).toDoubleArray();
        }
        long[] ids = inputIds.toLongArray();
        double[] mask = attentionMask.toDoubleArray();
        double[][] out = new double[b][];
        for (int r = 0; r < b; r++) {
            int length = 0;
            while (length < t && mask[r * t + length] != 0) {
                length++;
            }
            for (int c = length; c < t; c++) {
                if (mask[r * t + c] != 0) {
                    throw new IllegalArgumentException("row " + r + " of the attention mask is not right-padded");
                }
            }
            int[] at = StepBoundaries.find(Arrays.copyOfRange(ids, r * t, r * t + t), length, separatorIds);
            out[r] = new double[at.length];
            for (int s = 0; s < at.length; s++) {
                out[r][s] = goodProbability(logits, (r * t + at[s]) * numLabels);
            }
        }
        return out;
    }

    /** softmax(logits[from … from + L))[GOOD_LABEL], computed stably (max subtracted). */
    private double goodProbability(double[] logits, int from) {
        double max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < numLabels; l++) {
            max = Math.max(max, logits[from + l]);
        }
        double sum = 0;
        for (int l = 0; l < numLabels; l++) {
            sum += Math.exp(logits[from + l] - max);
        }
        return Math.exp(logits[from + GOOD_LABEL] - max) / sum;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public int numLabels() {
        return numLabels;
    }

    /** The dtype parameters are stored in. */
    public DType parameterDType() {
        return dtype;
    }

    /** The base transformer, its parameters named without prefix. */
    public Module backbone() {
        return backbone;
    }

    /** The token-classification head, Linear(hidden, num_labels) with bias. */
    public Linear head() {
        return head;
    }
}
