package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.optim.Schedule;
import io.rlhf4j.trainers.config.BaseConfig;
import java.util.OptionalLong;

/**
 * How many optimizer steps a run takes, computed as transformers' Trainer does
 * (trainer.py, set_initial_training_values, transformers 5.x):
 * <pre>
 *   batches_per_epoch   = ceil(N / batch)            (floor with drop_last)
 *   updates_per_epoch   = max(ceil(batches_per_epoch / gradient_accumulation_steps), 1)
 *   total_steps         = max_steps if max_steps > 0
 *                         else ceil(num_train_epochs × updates_per_epoch)
 *   epochs              = ceil(total_steps / updates_per_epoch) if max_steps > 0
 *                         else ceil(num_train_epochs)
 * </pre>
 * A dataset of unknown size (streaming) needs max_steps; it then counts as one endless epoch. The
 * last accumulation window of an epoch holds the remaining batches, which may be fewer.
 *
 * @param batchesPerEpoch -1 when the dataset size is unknown
 */
public record StepSchedule(long batchesPerEpoch, long updateStepsPerEpoch, long totalSteps, long epochs,
        long warmupSteps) {

    public static StepSchedule compute(BaseConfig config, OptionalLong datasetSize, boolean dropLast) {
        int batch = config.perDeviceTrainBatchSize;
        int accumulation = config.gradientAccumulationSteps;
        if (datasetSize.isEmpty()) {
            if (config.maxSteps <= 0) {
                throw new IllegalArgumentException("max_steps must be set (> 0) when the dataset size is unknown "
                        + "(streaming), got " + config.maxSteps);
            }
            return new StepSchedule(-1, config.maxSteps, config.maxSteps, Long.MAX_VALUE,
                    warmupSteps(config, config.maxSteps));
        }
        long n = datasetSize.getAsLong();
        long batches = dropLast ? n / batch : ceilDiv(n, batch);
        if (batches == 0) {
            throw new IllegalArgumentException("the dataset (" + n + " examples) gives no batch of "
                    + batch + (dropLast ? " with drop_last" : ""));
        }
        long updates = Math.max(ceilDiv(batches, accumulation), 1);
        long total;
        long epochs;
        if (config.maxSteps > 0) {
            total = config.maxSteps;
            epochs = ceilDiv(total, updates);
        } else {
            total = (long) Math.ceil(config.numTrainEpochs * updates);
            epochs = (long) Math.ceil(config.numTrainEpochs);
        }
        return new StepSchedule(batches, updates, total, epochs, warmupSteps(config, total));
    }

    /**
     * transformers 5's TrainingArguments.get_warmup_steps: warmup_steps ≥ 1 is a count,
     * 0 &lt; warmup_steps &lt; 1 a ratio, ceil(total × ratio); transformers 4's warmup_ratio the same.
     */
    static long warmupSteps(BaseConfig config, long totalSteps) {
        if (config.warmupSteps >= 1) {
            return (long) config.warmupSteps;
        }
        double ratio = config.warmupSteps > 0 ? config.warmupSteps : config.warmupRatio;
        return (long) Math.ceil(totalSteps * ratio);
    }

    /** logging_steps, eval_steps, save_steps: a value below 1 is ceil(ratio × total steps), as in transformers. */
    public long interval(double steps) {
        return steps < 1 ? Math.max(1, (long) Math.ceil(totalSteps * steps)) : (long) steps;
    }

    /** The learning-rate multiplier for lr_scheduler_type (transformers.optimization's schedules). */
    public Schedule lrSchedule(String lrSchedulerType) {
        return switch (lrSchedulerType) {
            case "linear" -> Schedule.linearWithWarmup(warmupSteps, totalSteps);
            case "cosine" -> Schedule.cosineWithWarmup(warmupSteps, totalSteps);
            case "constant" -> Schedule.constant();
            case "constant_with_warmup" -> Schedule.constantWithWarmup(warmupSteps);
            default -> throw new IllegalArgumentException("lr_scheduler_type must be one of "
                    + BaseConfig.LR_SCHEDULER_TYPES + ", got '" + lrSchedulerType + "'");
        };
    }

    private static long ceilDiv(long a, long b) {
        return Math.ceilDiv(a, b);
    }
}
