package io.rlhf4j.nn.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.StateDictException;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A reward model's folder.
 *
 * <p>MLP head: {@code config.json} + {@code model.safetensors} (or shards + index) are the
 * backbone exactly as transformers' AutoModel.save_pretrained writes it (architectures
 * ["LlamaModel"] etc., names without the "model."/"transformer." prefix), so transformers or
 * {@link RewardModel#fromBase} can load the backbone alone; {@code reward_head.safetensors} holds
 * {@code reward_head.0.weight}, {@code reward_head.0.bias}, {@code reward_head.3.weight},
 * {@code reward_head.3.bias}; {@code reward_config.json} the metadata ({@link RewardConfigJson}).
 *
 * <p>Score head: {@code config.json} (architectures ["LlamaForSequenceClassification"] etc.,
 * id2label with one label) + {@code model.safetensors} with the prefixed backbone and
 * {@code score.weight}: transformers' layout, which transformers loads unchanged; plus
 * {@code reward_config.json}. A transformers folder without reward_config.json loads as a score
 * model with last-token pooling.
 *
 * <p>Every file is written atomically (temporary file, then rename); reward_config.json is
 * written last, so a folder with it was completely written.
 */
final class RewardModelFiles {

    static final String HEAD_WEIGHTS = "reward_head.safetensors";
    static final String HEAD_PREFIX = "reward_head.";

    /** transformers 5's default max_shard_size ("50GB"). */
    static final long MAX_SHARD_BYTES = 50_000_000_000L;
    static final Map<String, String> PT_METADATA = Map.of("format", "pt");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RewardModelFiles() {
    }

    static void save(RewardModel model, Path directory) throws IOException {
        Files.createDirectories(directory);
        ModelConfig config = model.config();
        RewardConfig rc = model.rewardConfig();
        writeAtomically(directory.resolve("config.json"), JSON.writeValueAsString(ModelFiles.sorted(configJson(model))) + "\n");
        if (rc.headType() == HeadType.MLP) {
            Safetensors.saveCheckpoint(directory, model.backbone().stateDict(), PT_METADATA, MAX_SHARD_BYTES);
            Map<String, Tensor> head = new LinkedHashMap<>();
            model.headModule().stateDict().forEach((name, t) -> head.put(HEAD_PREFIX + name, t));
            Safetensors.save(directory.resolve(HEAD_WEIGHTS), head, PT_METADATA);
        } else {
            Safetensors.saveCheckpoint(directory, model.stateDict(), PT_METADATA, MAX_SHARD_BYTES);
        }
        writeAtomically(directory.resolve(RewardConfigJson.FILE), RewardConfigJson.toJson(rc, config));
    }

    private static ObjectNode configJson(RewardModel model) {
        ModelConfig config = model.config();
        ObjectNode json = config.raw().deepCopy();
        String dtype = ModelFiles.torchName(model.parameterDType());
        json.put("dtype", dtype);
        if (json.has("torch_dtype")) {
            json.put("torch_dtype", dtype);
        }
        boolean score = model.rewardConfig().headType() == HeadType.SCORE;
        json.putArray("architectures").add(score ? Backbones.sequenceClassificationArchitecture(config)
                : Backbones.baseArchitecture(config));
        if (score) {
            json.putObject("id2label").put("0", "LABEL_0");
            json.putObject("label2id").put("LABEL_0", 0);
        }
        return json;
    }

    static RewardModel load(Path directory, DType dtype) throws IOException {
        ModelConfig config = ModelConfig.read(directory);
        RewardConfig rc = Files.exists(directory.resolve(RewardConfigJson.FILE))
                ? RewardConfigJson.read(directory, config) : transformersLayout(directory, config);
        RewardModel model = RewardModel.create(config, rc, dtype);
        Map<String, Tensor> checkpoint = Safetensors.loadCheckpoint(directory);
        model.loadBackbone(checkpoint, weightsFile(directory).toString());
        if (rc.headType() == HeadType.MLP) {
            Path file = directory.resolve(HEAD_WEIGHTS);
            if (!Files.exists(file)) {
                throw new IOException("no " + HEAD_WEIGHTS + " in " + directory + ", which reward_config.json's "
                        + "head_type \"mlp\" needs");
            }
            Map<String, Tensor> head = new LinkedHashMap<>();
            Safetensors.load(file).forEach((name, t) -> head.put(
                    name.startsWith(HEAD_PREFIX) ? name.substring(HEAD_PREFIX.length()) : name, t));
            loadHead(model, head, file);
        } else {
            Tensor weight = checkpoint.get("score.weight");
            if (weight == null) {
                throw new IllegalArgumentException(weightsFile(directory) + " has no score.weight, which a "
                        + "score head needs");
            }
            loadHead(model, Map.of("weight", weight), weightsFile(directory));
        }
        model.eval();
        return model;
    }

    private static void loadHead(RewardModel model, Map<String, Tensor> state, Path file) {
        try {
            model.headModule().loadStateDict(state, true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException(file + ": the " + model.rewardConfig().headType().jsonName()
                    + " head of hidden size " + model.config().hiddenSize() + " (one output) does not match: "
                    + e.getMessage(), e);
        }
    }

    /** The reward config of a transformers *ForSequenceClassification folder with one label. */
    private static RewardConfig transformersLayout(Path directory, ModelConfig config) {
        Path file = directory.resolve("config.json");
        List<String> architectures = new ArrayList<>();
        config.raw().path("architectures").forEach(a -> architectures.add(a.asText()));
        if (architectures.stream().noneMatch(a -> a.endsWith("ForSequenceClassification"))) {
            throw new IllegalArgumentException(directory + " has no " + RewardConfigJson.FILE + " and " + file
                    + " names architectures " + architectures + ", not a *ForSequenceClassification: to start a "
                    + "reward model from this checkpoint use RewardModel.fromBase");
        }
        JsonNode labels = config.raw().get("id2label");
        int count = labels == null ? config.raw().path("num_labels").asInt(2) : labels.size();
        if (count != 1) {
            throw new IllegalArgumentException(file + ": a reward model has one label, but id2label/num_labels gives "
                    + count);
        }
        return RewardConfig.score();
    }

    static Path weightsFile(Path directory) {
        Path index = directory.resolve("model.safetensors.index.json");
        return Files.exists(index) ? index : directory.resolve("model.safetensors");
    }

    static void writeAtomically(Path target, String text) throws IOException {
        // Not Files.createTempFile: its owner-only permissions would stay on the renamed file.
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
