package io.rlhf4j.trainers.dpo;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.nn.models.AutoModelForCausalLM;
import io.rlhf4j.nn.models.CausalLM;
import io.rlhf4j.nn.policy.LogProbs;
import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.PreferenceBatch;
import io.rlhf4j.trainers.data.PreferenceExample;
import io.rlhf4j.trainers.loop.RunInputs;
import io.rlhf4j.trainers.preference.PairLoss;
import io.rlhf4j.trainers.preference.PreferenceInputs;
import io.rlhf4j.trainers.preference.PreferenceTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct preference optimization (TRL's DPOTrainer): the policy's summed response log-probs of
 * chosen and rejected sequences against a frozen reference's ({@link DPOLoss}). The reference is
 * a second model, in evaluation mode, run with autograd off on the same 2B-row batch: loaded from
 * ref_model, else from model_name_or_path, which with use_peft is exactly the base model with the
 * adapters disabled (its weights are frozen); with reference_free there is none.
 */
public final class DPOTrainer extends PreferenceTrainer<DPOConfig> {

    private final CausalLM reference;
    private final DPOLoss loss;

    /**
     * @param reference the frozen reference model, or null when reference_free
     * @param eval      held-out pairs, or null
     */
    public DPOTrainer(DPOConfig config, CausalLM model, CausalLM reference, DataSource<PreferenceExample> train,
            List<PreferenceExample> eval, long padId) {
        super(config, model, train, eval, padId);
        if (reference == null && !config.referenceFree) {
            throw new IllegalArgumentException("DPO needs a reference model unless reference_free is set");
        }
        this.reference = config.referenceFree ? null : reference;
        if (this.reference != null) {
            this.reference.module().eval();
        }
        this.loss = DPOLoss.of(config);
    }

    /** The trainer a config describes (see {@link PreferenceInputs} for the data). */
    public static DPOTrainer fromConfig(DPOConfig config) throws IOException {
        PreferenceInputs in = PreferenceInputs.load(config, config.maxLength, config.maxPromptLength,
                config.truncationMode);
        CausalLM model = AutoModelForCausalLM.fromPretrained(in.modelDir());
        CausalLM reference = null;
        List<String> lines = new ArrayList<>(in.lines());
        if (!config.referenceFree) {
            Path refDir = config.refModel == null ? in.modelDir()
                    : RunInputs.requirePath("DPO", "ref_model", config.refModel);
            reference = AutoModelForCausalLM.fromPretrained(refDir);
            lines.add("reference: " + refDir + (config.usePeft && config.refModel == null
                    ? " (the base model: adapters are trained on the policy only)" : "") + ", frozen");
        } else {
            lines.add("reference: none (reference_free)");
        }
        DPOTrainer t = new DPOTrainer(config, model, reference, in.train(), in.eval(), in.padId());
        t.describeRun(in.modelDir(), lines);
        return t;
    }

    @Override
    protected PairLoss pairLoss(PreferenceBatch batch) {
        LogProbs policy = logProbs(model, batch);
        Tensor sums = policy.sum();
        Tensor counts = policy.mask().sum(1, false);
        Tensor refSums = null;
        if (reference != null) {
            try (var _ = Grad.disabled()) {
                refSums = logProbs(reference, batch).sum();
            }
        }
        return loss.compute(chosen(sums), rejected(sums), refSums == null ? null : chosen(refSums),
                refSums == null ? null : rejected(refSums), chosen(counts), rejected(counts));
    }
}
