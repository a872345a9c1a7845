package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.Tensor;
import java.util.Map;

/**
 * An optimizer's state as torch lays it out, flattened to names: tensors
 * {@code state.<i>.<name>} (i counts parameters across groups in order) and scalars such as
 * {@code state.<i>.step} and {@code param_groups.<k>.lr}. Checkpoints write the tensors as
 * safetensors and the scalars as JSON.
 */
public record StateDict(Map<String, Tensor> tensors, Map<String, Double> scalars) {

    public StateDict {
        tensors = Map.copyOf(tensors);
        scalars = Map.copyOf(scalars);
    }
}
