package io.rlhf4j.trainers.checkpoint;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.StateDict;
import java.util.Map;

/**
 * Everything a run needs to resume: named model state dicts ("model" for the policy; PPO adds
 * e.g. "value_model"), named optimizer states and the states of their schedulers (same names),
 * the loop's {@link TrainingState}, and the stage config as YAML. A stage's own running numbers
 * (KTO's KL EMA, PPO's KL controller) ride with the scheduler states under names of their own.
 *
 * <p>Maps keep their iteration order on save (the shard order of model tensors). Loaded tensors are
 * read-only views of memory-mapped files: copy them into parameters (optimizers'
 * loadStateDict copies already).
 */
public record Checkpoint(Map<String, Map<String, Tensor>> models, Map<String, StateDict> optimizers,
        Map<String, Map<String, Double>> schedulers, TrainingState state, String configYaml) {

    public static final String MODEL = "model";
    public static final String OPTIMIZER = "optimizer";

    /** The usual one-model checkpoint: "model", "optimizer" and its scheduler (null: none). */
    public static Checkpoint of(Map<String, Tensor> model, StateDict optimizer, Map<String, Double> scheduler,
            TrainingState state, String configYaml) {
        return new Checkpoint(Map.of(MODEL, model), Map.of(OPTIMIZER, optimizer),
                scheduler == null ? Map.of() : Map.of(OPTIMIZER, scheduler), state, configYaml);
    }

    public Checkpoint {
        for (String name : models.keySet()) {
            CheckpointLayout.checkName(name);
        }
        for (String name : optimizers.keySet()) {
            CheckpointLayout.checkName(name);
        }
    }

    public Map<String, Tensor> model() {
        return models.get(MODEL);
    }

    public StateDict optimizer() {
        return optimizers.get(OPTIMIZER);
    }

    public Map<String, Double> scheduler() {
        return schedulers.get(OPTIMIZER);
    }
}
