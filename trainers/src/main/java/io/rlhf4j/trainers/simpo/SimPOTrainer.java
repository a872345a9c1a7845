package io.rlhf4j.trainers.simpo;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.PreferenceBatch;
import io.rlhf4j.trainers.data.PreferenceExample;
import io.rlhf4j.trainers.preference.PairLoss;
import io.rlhf4j.trainers.preference.PreferenceInputs;
import io.rlhf4j.trainers.preference.PreferenceTrainer;
import java.io.IOException;
import java.util.List;

/**
 * Simple preference optimization, reference-free (TRL's CPOTrainer with loss_type simpo and
 * cpo_alpha 0): the policy's average response log-probs of chosen and rejected sequences
 * ({@link SimPOLoss}); logps/chosen and logps/rejected are those averages, as TRL logs them.
 */
public final class SimPOTrainer extends PreferenceTrainer<SimPOConfig> {

    private final SimPOLoss loss;

    /** @param eval held-out pairs, or null */
    public SimPOTrainer(SimPOConfig config, CausalLM model, DataSource<PreferenceExample> train,
            List<PreferenceExample> eval, long padId) {
        super(config, model, train, eval, padId);
        this.loss = SimPOLoss.of(config);
    }

    /** The trainer a config describes (see {@link PreferenceInputs} for the data). */
    public static SimPOTrainer fromConfig(SimPOConfig config) throws IOException {
        PreferenceInputs in = PreferenceInputs.load(config, config.maxLength, config.maxPromptLength,
                config.truncationMode);
        SimPOTrainer t = new SimPOTrainer(config, AutoModelForCausalLM.fromPretrained(in.modelDir()), in.train(),
                in.eval(), in.padId());
        t.describeRun(in.modelDir(), in.lines());
        return t;
    }

    @Override
    protected PairLoss pairLoss(PreferenceBatch batch) {
        Tensor means = logProbs(model, batch).mean();
        return loss.compute(chosen(means), rejected(means));
    }
}
