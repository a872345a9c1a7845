package io.rlhf4j.nn.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.safetensors.Safetensors;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.models.ModelFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A process reward model's folder in transformers' *ForTokenClassification layout:
 * {@code config.json} (architectures, id2label / label2id with num_labels entries) and
 * {@code model.safetensors} (or shards + index) with the prefixed backbone and the head's
 * {@code weight} and {@code bias}. config.json is written last.
 */
final class ProcessRewardModelFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProcessRewardModelFiles() {
    }

    static void save(ProcessRewardModel model, Path directory) throws IOException {
        java.nio.file.Files.createDirectories(directory);
        Safetensors.saveCheckpoint(directory, model.stateDict(), RewardModelFiles.PT_METADATA,
                RewardModelFiles.MAX_SHARD_BYTES);
        ModelConfig config = model.config();
        ObjectNode json = config.raw().deepCopy();
        String dtype = ModelFiles.torchName(model.parameterDType());
        json.put("dtype", dtype);
        if (json.has("torch_dtype")) {
            json.put("torch_dtype", dtype);
        }
        json.putArray("architectures").add(Backbones.tokenClassificationArchitecture(config));
        ObjectNode id2label = json.putObject("id2label");
        ObjectNode label2id = json.putObject("label2id");
        for (int i = 0; i < model.numLabels(); i++) {
            id2label.put(Integer.toString(i), "LABEL_" + i);
            label2id.put("LABEL_" + i, i);
        }
        RewardModelFiles.writeAtomically(directory.resolve("config.json"),
                JSON.writeValueAsString(ModelFiles.sorted(json)) + "\n");
    }

    static ProcessRewardModel load(Path directory, DType dtype) throws IOException {
        ModelConfig config = ModelConfig.read(directory);
        Path configFile = directory.resolve("config.json");
        List<String> architectures = new ArrayList<>();
        config.raw().path("architectures").forEach(a -> architectures.add(a.asText()));
        if (architectures.stream().noneMatch(a -> a.endsWith("ForTokenClassification"))) {
            throw new IllegalArgumentException(configFile + " names architectures " + architectures
                    + ", not a *ForTokenClassification: to start a process reward model from this checkpoint use"
                    + " ProcessRewardModel.fromBase");
        }
        JsonNode labels = config.raw().get("id2label");
        int numLabels = labels != null ? labels.size() : config.raw().path("num_labels").asInt(2);
        ProcessRewardModel model = ProcessRewardModel.create(config, numLabels, dtype);
        Map<String, Tensor> checkpoint = Safetensors.loadCheckpoint(directory);
        String source = RewardModelFiles.weightsFile(directory).toString();
        model.loadBackbone(checkpoint, source);
        String prefix = ProcessRewardModel.headName(config) + ".";
        Map<String, Tensor> head = new HashMap<>();
        checkpoint.forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                head.put(name.substring(prefix.length()), t);
            }
        });
        model.loadHead(head, source);
        model.eval();
        return model;
    }
}
