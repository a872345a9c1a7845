package io.rlhf4j.trainers.loop;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.StateDict;
import java.util.Map;

/**
 * What a stage checkpoints beyond the trained model and its optimizer (see
 * {@link Trainer#extraState()}): named model state dicts, optimizer states and scheduler states,
 * stored in the {@link io.rlhf4j.trainers.checkpoint.Checkpoint} maps beside "model" and "optimizer".
 */
public record ExtraState(Map<String, Map<String, Tensor>> models, Map<String, StateDict> optimizers,
        Map<String, Map<String, Double>> schedulers) {

    public static final ExtraState NONE = new ExtraState(Map.of(), Map.of(), Map.of());

    boolean isEmpty() {
        return models.isEmpty() && optimizers.isEmpty() && schedulers.isEmpty();
    }
}
