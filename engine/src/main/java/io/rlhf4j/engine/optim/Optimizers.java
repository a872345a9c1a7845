package io.rlhf4j.engine.optim;

import io.rlhf4j.engine.Tensor;
import java.util.List;

/** The optimizer factory every trainer uses (the specification's create_optimizer). */
public final class Optimizers {

    /** An optimizer with the scheduler that drives its learning rate. */
    public record OptimizerSetup(AdamW optimizer, LrScheduler scheduler) {

        /** optimizer.step() then scheduler.step(), the order torch expects. */
        public void step() {
            optimizer.step();
            scheduler.step();
        }
    }

    private Optimizers() {
    }

    /**
     * AdamW with the given eps and weight decay; when {@code totalSteps > 0} its rate follows
     * transformers' cosine schedule with {@code warmupSteps} of linear warmup, otherwise (total
     * unknown, pass 0) the constant schedule with the same warmup.
     */
    public static OptimizerSetup create(List<Tensor> params, double lr, double weightDecay, double beta1, double beta2,
            double eps, long warmupSteps, long totalSteps) {
        return create(List.of(new ParamGroup(params, lr, weightDecay)), beta1, beta2, eps, warmupSteps, totalSteps);
    }

    /** As above with explicit parameter groups (for example biases and norms without decay). */
    public static OptimizerSetup create(List<ParamGroup> groups, double beta1, double beta2, double eps,
            long warmupSteps, long totalSteps) {
        AdamW adamw = new AdamW(groups, beta1, beta2, eps);
        Schedule schedule = totalSteps > 0 ? Schedule.cosineWithWarmup(warmupSteps, totalSteps)
                : Schedule.constantWithWarmup(warmupSteps);
        return new OptimizerSetup(adamw, new LrScheduler(adamw, schedule));
    }
}
