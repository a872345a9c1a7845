package io.rlhf4j.trainers.loop;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.StateDict;
import io.rlhf4j.engine.random.GeneratorState;
import io.rlhf4j.trainers.checkpoint.Checkpoint;
import io.rlhf4j.trainers.checkpoint.TrainingState;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.device.GradScaler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link Trainer} puts in a checkpoint and takes back from one: the model's weights (with
 * use_peft only the LoRA adapters', plus their dropout streams), the optimizer's moments and steps,
 * the scheduler, the run's generator, the data position, the FP16 scaler and the stage's own state ({@link Trainer#extraState}). Restoring all of them makes
 * the continued run bitwise equal to an uninterrupted one,
 * because every kernel of the engine is deterministic.
 */
final class ResumeState {

    private ResumeState() {
    }

    static Checkpoint capture(Trainer<?, ?, ?, ?> t) {
        OptimizerFactory.Setup o = t.optimizer();
        Map<String, Double> scaler = t.device().scaler().map(GradScaler::stateDict).orElse(Map.of());
        Map<String, GeneratorState> generators = new LinkedHashMap<>();
        generators.put(Trainer.RUN_GENERATOR, t.random().state());
        t.peft().ifPresent(p -> generators.putAll(p.generatorStates()));
        TrainingState state = new TrainingState(t.config().stage(), t.step(), t.trainData().epoch(),
                t.trainData().position(), generators, scaler);
        Map<String, Tensor> weights = t.peft().map(PeftAdapter::trainedState).orElseGet(t.model.module()::stateDict);
        Checkpoint base = Checkpoint.of(weights, o.optimizer().stateDict(), o.scheduler().stateDict(), state,
                ConfigLoader.toYaml(t.config()));
        ExtraState extra = t.extraState();
        if (extra.isEmpty()) {
            return base;
        }
        Map<String, Map<String, Tensor>> models = new LinkedHashMap<>(base.models());
        models.putAll(extra.models());
        Map<String, StateDict> optimizers = new LinkedHashMap<>(base.optimizers());
        optimizers.putAll(extra.optimizers());
        Map<String, Map<String, Double>> schedulers = new LinkedHashMap<>(base.schedulers());
        schedulers.putAll(extra.schedulers());
        return new Checkpoint(models, optimizers, schedulers, state, base.configYaml());
    }

    /** Loads {@code c} into the trainer's parts and returns the global step to continue from. */
    static long restore(Checkpoint c, Trainer<?, ?, ?, ?> t) {
        TrainingState s = c.state();
        if (!s.stage().equals(t.config().stage())) {
            throw new IllegalArgumentException("the checkpoint is of stage '" + s.stage() + "', this run is '"
                    + t.config().stage() + "': point output_dir at a run of the same stage");
        }
        t.peft().ifPresentOrElse(p -> p.loadTrainedState(c.model()),
                () -> t.model.module().loadStateDict(c.model(), true));
        OptimizerFactory.Setup o = t.optimizer();
        o.optimizer().loadStateDict(c.optimizer());
        if (c.scheduler() != null) {
            o.scheduler().loadStateDict(c.scheduler());
        }
        t.trainData().resume(s.dataPosition());
        GeneratorState run = s.rngStates().get(Trainer.RUN_GENERATOR);
        if (run != null) {
            t.random().restore(run);
        }
        t.peft().ifPresent(p -> p.restoreGenerators(s.rngStates()));
        t.device().scaler().ifPresent(scaler -> scaler.loadStateDict(s.scalerState()));
        t.restoreExtraState(c);
        return s.globalStep();
    }
}
