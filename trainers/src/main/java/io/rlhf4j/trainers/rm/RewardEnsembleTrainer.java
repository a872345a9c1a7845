package io.rlhf4j.trainers.rm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.reward.RewardModel;
import io.rlhf4j.nn.reward.RewardModelEnsemble;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.TrainerCallback;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The specification's reward-model stage with ensembles: ensemble_size N reward models trained
 * independently, one after another, each a {@link RewardModelTrainer} with its own optimizer,
 * schedule, seed (seed + i: its own head initialisation and data order), checkpoints and
 * metrics under output_dir/member-i/, where its model is saved. N = 1 is a single run straight
 * into output_dir. With N &gt; 1, output_dir/ensemble.json lists the members ({@link #load}), and
 * eval_file is scored by the whole ensemble ({@link EnsembleEvaluation}), written to
 * output_dir/ensemble_eval.json.
 */
public final class RewardEnsembleTrainer {

    static final String ENSEMBLE_FILE = "ensemble.json";
    static final String EVAL_FILE = "ensemble_eval.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final RewardConfig config;
    private final RewardInputs inputs;
    private final List<TrainerCallback> callbacks = new ArrayList<>();
    private PrintStream console = System.out;

    /**
     * How the stage ended.
     *
     * @param members    each member's run, in order
     * @param ensemble   the trained models
     * @param evaluation the ensemble's metrics on eval_file (empty without one, or with N = 1)
     */
    public record Result(List<TrainResult> members, RewardModelEnsemble ensemble, Map<String, Double> evaluation) {
    }

    public RewardEnsembleTrainer(RewardConfig config, RewardInputs inputs) {
        this.config = config;
        this.inputs = inputs;
    }

    public static RewardEnsembleTrainer fromConfig(RewardConfig config) {
        return new RewardEnsembleTrainer(config, RewardInputs.load(config));
    }

    /** The config of member {@code i}: output_dir/member-i and seed + i (the config itself when N = 1). */
    public static RewardConfig memberConfig(RewardConfig config, int i) {
        if (config.ensembleSize == 1) {
            return config;
        }
        RewardConfig member = ConfigLoader.parse(ConfigLoader.toYaml(config), ConfigLoader.Format.YAML,
                RewardConfig.class, List.of(), "ensemble member " + i);
        member.outputDir = memberDir(Path.of(config.outputDir), i).toString();
        member.seed = config.seed + i;
        return member;
    }

    /** Where member {@code i} of an ensemble in {@code outputDir} lives. */
    public static Path memberDir(Path outputDir, int i) {
        return outputDir.resolve("member-" + i);
    }

    /** Added to every member's trainer. */
    public void addCallback(TrainerCallback callback) {
        callbacks.add(callback);
    }

    public void setConsole(PrintStream console) {
        this.console = console;
    }

    /**
     * Trains every member (with {@code resume}, each continues from its newest checkpoint, or
     * starts fresh without one), then evaluates the ensemble.
     */
    public Result train(boolean resume) throws IOException {
        List<TrainResult> runs = new ArrayList<>();
        List<RewardModel> models = new ArrayList<>();
        for (int i = 0; i < config.ensembleSize; i++) {
            RewardModelTrainer t = RewardModelTrainer.forMember(memberConfig(config, i), inputs);
            t.setConsole(console);
            callbacks.forEach(t::addCallback);
            if (config.ensembleSize > 1) {
                console.println("rm: ensemble member " + (i + 1) + " of " + config.ensembleSize);
            }
            runs.add(t.train(resume));
            models.add(t.model());
        }
        RewardModelEnsemble ensemble = new RewardModelEnsemble(models);
        Map<String, Double> evaluation = Map.of();
        if (config.ensembleSize > 1) {
            Path out = Path.of(config.outputDir);
            writeMembers(out);
            if (inputs.eval() != null) {
                evaluation = EnsembleEvaluation.evaluate(ensemble, inputs.eval(), inputs.padId(),
                        config.perDeviceEvalBatchSize);
                Files.writeString(out.resolve(EVAL_FILE), JSON.writeValueAsString(evaluation) + "\n");
                console.println("rm: ensemble of " + config.ensembleSize + " on " + config.evalFile + ": " + evaluation);
            }
        }
        return new Result(runs, ensemble, evaluation);
    }

    private void writeMembers(Path out) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        var list = json.putArray("members");
        for (int i = 0; i < config.ensembleSize; i++) {
            list.add(memberDir(Path.of(""), i).toString());
        }
        Files.writeString(out.resolve(ENSEMBLE_FILE), JSON.writeValueAsString(json) + "\n");
    }

    /** The ensemble an N &gt; 1 run saved in {@code outputDir}, or the single reward model saved there. */
    public static RewardModelEnsemble load(Path outputDir) throws IOException {
        Path file = outputDir.resolve(ENSEMBLE_FILE);
        if (!Files.isRegularFile(file)) {
            return new RewardModelEnsemble(List.of(RewardModel.fromPretrained(outputDir)));
        }
        JsonNode members = JSON.readTree(file.toFile()).get("members");
        if (members == null || !members.isArray() || members.isEmpty()) {
            throw new IllegalArgumentException(file + ": 'members' must be a non-empty list of member folders");
        }
        List<RewardModel> models = new ArrayList<>();
        for (JsonNode m : members) {
            models.add(RewardModel.fromPretrained(outputDir.resolve(m.asText())));
        }
        return new RewardModelEnsemble(models);
    }
}
