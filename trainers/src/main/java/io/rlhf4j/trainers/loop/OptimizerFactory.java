package io.rlhf4j.trainers.loop;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.AdamW;
import io.rlhf4j.engine.optim.LrScheduler;
import io.rlhf4j.engine.optim.ParamGroup;
import io.rlhf4j.nn.Module;
import io.rlhf4j.nn.Parameter;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.data.StepSchedule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The optimizer every trainer uses (the specification's create_optimizer), built as transformers'
 * Trainer.create_optimizer / create_scheduler do: AdamW with two parameter groups — weight_decay on
 * {@link DecayParameters#decayNames}, 0 on the rest — and a LambdaLR-style scheduler whose
 * multiplier follows lr_scheduler_type with the run's warmup ({@link StepSchedule#lrSchedule}).
 * Frozen parameters (the base model under LoRA) are left out: they get no optimizer state.
 */
public final class OptimizerFactory {

    /** The optimizer, its scheduler, and every trained tensor (decayed group first) for clipping. */
    public record Setup(AdamW optimizer, LrScheduler scheduler, List<Tensor> params) {
    }

    private OptimizerFactory() {
    }

    public static Setup create(Module model, BaseConfig config, StepSchedule schedule) {
        Set<String> decay = new HashSet<>(DecayParameters.decayNames(model));
        List<Tensor> withDecay = new ArrayList<>();
        List<Tensor> without = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            if (!e.getValue().tensor().requiresGrad()) {
                continue;
            }
            (decay.contains(e.getKey()) ? withDecay : without).add(e.getValue().tensor());
        }
        List<ParamGroup> groups = new ArrayList<>();
        if (!withDecay.isEmpty()) {
            groups.add(new ParamGroup(withDecay, config.learningRate, config.weightDecay));
        }
        if (!without.isEmpty()) {
            groups.add(new ParamGroup(without, config.learningRate, 0.0));
        }
        AdamW adamw = new AdamW(groups, config.adamBeta1, config.adamBeta2, config.adamEpsilon);
        LrScheduler scheduler = new LrScheduler(adamw, schedule.lrSchedule(config.lrSchedulerType));
        List<Tensor> params = new ArrayList<>(withDecay);
        params.addAll(without);
        return new Setup(adamw, scheduler, List.copyOf(params));
    }
}
