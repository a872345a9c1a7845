package io.rlhf4j.trainers.rm;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.reward.RewardModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link RewardModel} in the place where the shared {@code Trainer} loop holds its model. The
 * loop uses only {@link #module()} (optimizer, train/eval, checkpoint state), {@link #config()}
 * and {@link #save}; a reward model has no language-model head, so the token-prediction methods
 * refuse. (The loop is typed on CausalLM; a value or reward model needs only its Module side.)
 */
final class RewardModelSlot implements CausalLM {

    private final RewardModel model;

    RewardModelSlot(RewardModel model) {
        this.model = model;
    }

    RewardModel rewardModel() {
        return model;
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public Module module() {
        return model;
    }

    @Override
    public void save(Path directory) throws IOException {
        model.savePretrained(directory);
    }

    @Override
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        throw noLmHead();
    }

    @Override
    public Tensor forwardLast(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KvCache cache) {
        throw noLmHead();
    }

    @Override
    public KvCache newKvCache(int batch, int capacity) {
        throw noLmHead();
    }

    private static UnsupportedOperationException noLmHead() {
        return new UnsupportedOperationException("a reward model has no language-model head: score sequences with"
                + " RewardModel.rewards");
    }
}
