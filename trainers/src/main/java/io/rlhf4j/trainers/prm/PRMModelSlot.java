package io.rlhf4j.trainers.prm;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.models.ModelConfig;
import io.rlhf4j.nn.reward.ProcessRewardModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link ProcessRewardModel} where the shared loop holds its model: the loop uses only
 * {@link #module()}, {@link #config()} and {@link #save}; the token-prediction methods refuse
 * (as the reward model's slot in trainers.rm).
 */
final class PRMModelSlot implements CausalLM {

    private final ProcessRewardModel model;

    PRMModelSlot(ProcessRewardModel model) {
        this.model = model;
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
        return new UnsupportedOperationException("a process reward model has no language-model head: score steps"
                + " with ProcessRewardModel.logits or stepScores");
    }
}
