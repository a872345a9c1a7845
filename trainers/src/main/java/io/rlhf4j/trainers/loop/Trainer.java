package io.rlhf4j.trainers.loop;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.engine.random.Generator;
import io.rlhf4j.nn.models.TrainableModel;
import io.rlhf4j.trainers.checkpoint.Checkpoint;
import io.rlhf4j.trainers.checkpoint.CheckpointManager;
import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.data.DataSource;
import io.rlhf4j.trainers.data.StepSchedule;
import io.rlhf4j.trainers.device.DeviceManager;
import io.rlhf4j.trainers.device.StepResult;
import io.rlhf4j.trainers.logging.TrainingLogger;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The loop every stage shares: config → data → optimizer and scheduler → accumulation windows →
 * clip and step → log → evaluate → checkpoint, resumable exactly from its checkpoints. A stage
 * supplies only how examples become a batch and the batch's loss.
 *
 * <p><b>Accumulation.</b> An optimizer step consumes gradient_accumulation_steps micro-batches of
 * per_device_train_batch_size examples (fewer at the end of an epoch: windows never span epochs,
 * as in transformers). Before any backward pass, the window's micro-batches are prepared and their
 * loss items counted (transformers' num_items_in_batch, e.g. label tokens); each micro-batch's
 * loss is its <em>sum</em> over items divided by that window total. The accumulated gradient is
 * therefore exactly the gradient of the mean over every item of the window, the same as one batch
 * holding all of it — unlike a per-micro-batch mean scaled by 1/accumulation, which weights
 * micro-batches with few tokens up.
 *
 * <p><b>Memory.</b> Each step runs in its own {@link Memory#scope()}: batches, activations and
 * graph are returned to the pool when it closes; parameters, gradients and optimizer state live
 * outside every scope.
 *
 * @param <C> the stage config
 * @param <E> one example
 * @param <B> a prepared micro-batch
 */
public abstract class Trainer<C extends BaseConfig, E, B, M extends TrainableModel> {

    /** The name of the run's generator in checkpoints. */
    public static final String RUN_GENERATOR = "run";

    protected final C config;
    protected final M model;
    /** The folder whose tokenizer files go beside the saved model, or null. */
    private Path tokenizerSource;
    private final DataSource<E> train;
    private final StepSchedule schedule;
    private final OptimizerFactory.Setup optimizer;
    private final DeviceManager device;
    private final CheckpointManager checkpoints;
    private final Generator random;
    private final PeftAdapter peft;
    private final List<TrainerCallback> callbacks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final StepClock clock = new StepClock();
    private PrintStream console = System.out;
    private long globalStep;

    protected Trainer(C config, M model, DataSource<E> train) {
        this.config = config;
        this.model = model;
        this.train = train;
        this.schedule = StepSchedule.compute(config, train.size(), false);
        this.random = Generator.seed(config.seed);
        this.peft = config.usePeft ? PeftAdapter.apply(model, config, random) : null;
        if (peft != null) {
            notes.add(peft.summary());
        }
        this.optimizer = OptimizerFactory.create(model.module(), config, schedule);
        this.device = DeviceManager.create(config, notes::add);
        this.checkpoints = new CheckpointManager(Path.of(config.outputDir), config.saveTotalLimit);
    }

    /** Examples to one prepared micro-batch (runs inside the step's memory scope). */
    protected abstract B prepare(List<E> examples);

    /** How many items the batch's loss sums over (label tokens for SFT). */
    protected abstract long lossItems(B batch);

    /** Real (unpadded) tokens in the batch, for throughput. */
    protected abstract long tokens(B batch);

    /** The batch's loss: its sum over items divided by {@code windowItems} (see the class comment). */
    protected abstract Tensor loss(B batch, double windowItems);

    /** Metrics on held-out data ("eval_loss"), empty when the stage has none. */
    protected Map<String, Double> evaluate() {
        return Map.of();
    }

    /**
     * Stage metrics gathered since the previous log (DPO's rewards/…, GRPO's reward), logged beside loss and
     * learning rate; the stage starts over after each call. None by default.
     */
    protected Map<String, Double> drainMetrics() {
        return Map.of();
    }

    /** Whether {@link #evaluate()} has data to run on. */
    protected boolean hasEvaluation() {
        return false;
    }

    /**
     * Copies the tokenizer files of {@code modelDir} beside the model saved when the run completes,
     * so the output folder loads on its own (transformers' Trainer saves its processing class too).
     */
    public final void copyTokenizerFrom(Path modelDir) {
        tokenizerSource = modelDir;
    }

    /**
     * Writes the trained model into the output folder when the run completes: with use_peft only
     * the adapter (adapter_config.json, adapter_model.safetensors), as TRL does with a peft_config.
     */
    protected void saveModel(Path outputDir) throws IOException {
        if (peft != null) {
            peft.save(outputDir);
        } else {
            model.save(outputDir);
        }
    }

    /**
     * State a stage keeps beside the model, optimizer and scheduler, which checkpoints must carry for
     * a bitwise resume (PPO's value model, its optimizer and KL controller; KTO's KL EMA): added to
     * every checkpoint under their own names. None by default.
     */
    protected ExtraState extraState() {
        return ExtraState.NONE;
    }

    /** Restores what {@link #extraState()} saved, from a checkpoint being resumed. */
    protected void restoreExtraState(Checkpoint checkpoint) {
    }

    /** Lines printed when the run starts (data sizes, counters). */
    protected List<String> describe() {
        return List.of();
    }

    public final void addCallback(TrainerCallback callback) {
        callbacks.add(callback);
    }

    /** Where the progress bar and log lines go (System.out by default). */
    public final void setConsole(PrintStream console) {
        this.console = console;
    }

    public final StepSchedule schedule() {
        return schedule;
    }

    public final OptimizerFactory.Setup optimizer() {
        return optimizer;
    }

    /** The model being trained, carrying its LoRA adapters when use_peft is set. */
    public final M model() {
        return model;
    }

    public final long globalStep() {
        return globalStep;
    }

    /**
     * Trains up to the schedule's total steps. With {@code resume}, first restores the newest
     * complete checkpoint of output_dir (weights, optimizer, scheduler, generators, data position),
     * so the run continues bitwise as if never stopped; without one it starts fresh.
     */
    public final TrainResult train(boolean resume) throws IOException {
        Optional<Path> from = resume ? checkpoints.latest() : Optional.empty();
        if (from.isPresent()) {
            globalStep = ResumeState.restore(CheckpointManager.load(from.get()), this);
        }
        long resumedFrom = globalStep;
        Path out = Path.of(config.outputDir);
        Files.createDirectories(out);
        List<Double> losses = new ArrayList<>();
        try (TrainingLogger logger = new TrainingLogger(out, config.stage(), schedule.totalSteps(),
                TrainingLogger.Sinks.of(config), console, console == System.out && System.console() != null,
                InstantSource.system(), System::nanoTime)) {
            notes.forEach(logger::message);
            describe().forEach(logger::message);
            from.ifPresent(p -> logger.message("resumed from " + p + " at step " + globalStep));
            model.module().train();
            clock.start(System.nanoTime());
            while (globalStep < schedule.totalSteps()) {
                losses.add(step(logger));
            }
            saveModel(out);
            if (tokenizerSource != null) {
                RunInputs.copyTokenizer(tokenizerSource, out);
            }
            return new TrainResult(globalStep, resumedFrom, losses, logger.history());
        }
    }

    private double step(TrainingLogger logger) throws IOException {
        double loss = 0;
        long tokens = 0;
        StepResult result;
        try (var _ = Memory.scope()) {
            List<B> window = nextWindow();
            long items = 0;
            for (B b : window) {
                items += lossItems(b);
            }
            // A window without any item has zero loss and zero gradient (max avoids 0/0).
            double denominator = Math.max(items, 1);
            for (B b : window) {
                Tensor l = loss(b, denominator);
                device.scaleLoss(l).backward();
                loss += l.item();
                tokens += tokens(b);
            }
            long next = globalStep + 1;
            callbacks.forEach(c -> c.onPreOptimizerStep(next));
            result = device.clipAndStep(optimizer.optimizer(), optimizer.scheduler(), optimizer.params(),
                    config.maxGradNorm);
        }
        globalStep++;
        logger.step(globalStep, tokens);
        clock.record(loss, tokens, result);
        afterStep(logger);
        for (TrainerCallback c : callbacks) {
            c.onStepEnd(globalStep, result);
        }
        return loss;
    }

    /**
     * The next accumulation window's micro-batches: up to gradient_accumulation_steps batches of
     * per_device_train_batch_size examples, ending with the epoch. Runs inside the step's memory
     * scope. Stages whose micro-batches depend on each other (GRPO's groups) override it.
     */
    protected List<B> nextWindow() {
        List<B> window = new ArrayList<>(config.gradientAccumulationSteps);
        for (int i = 0; i < config.gradientAccumulationSteps; i++) {
            window.add(prepare(train.nextBatch(config.perDeviceTrainBatchSize)));
            if (train.epochFinished()) {
                break;
            }
        }
        return window;
    }

    private void afterStep(TrainingLogger logger) throws IOException {
        boolean last = globalStep == schedule.totalSteps();
        if (last || globalStep % schedule.interval(config.loggingSteps) == 0) {
            Map<String, Double> metrics = clock.drain(System.nanoTime());
            metrics.putAll(drainMetrics());
            logger.log(globalStep, train.epoch(), metrics);
        }
        long evalEvery = config.evalSteps == null ? schedule.interval(config.loggingSteps)
                : schedule.interval(config.evalSteps);
        if (hasEvaluation() && (last || globalStep % evalEvery == 0)) {
            Map<String, Double> metrics;
            try (var _ = Memory.scope()) {
                model.module().eval();
                metrics = new LinkedHashMap<>(evaluate());
            } finally {
                model.module().train();
            }
            logger.log(globalStep, train.epoch(), metrics);
        }
        if (globalStep % schedule.interval(config.saveSteps) == 0) {
            Path saved = checkpoints.save(ResumeState.capture(this));
            logger.message("saved " + saved);
        }
    }

    // ---- state shared with ResumeState

    final C config() {
        return config;
    }

    protected final DataSource<E> trainData() {
        return train;
    }

    final long step() {
        return globalStep;
    }

    final DeviceManager device() {
        return device;
    }

    /** The run's generator (checkpointed): draw children from it with split() or fork(). */
    protected final Generator random() {
        return random;
    }

    /** The LoRA adapters when use_peft is set. */
    final Optional<PeftAdapter> peft() {
        return Optional.ofNullable(peft);
    }
}
