package io.rlhf4j.trainers.pipeline;

import io.rlhf4j.trainers.config.BaseConfig;
import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.DPOConfig;
import io.rlhf4j.trainers.config.GRPOConfig;
import io.rlhf4j.trainers.config.KTOConfig;
import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.config.PRMConfig;
import io.rlhf4j.trainers.config.RewardConfig;
import io.rlhf4j.trainers.config.SFTConfig;
import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.dpo.DPOTrainer;
import io.rlhf4j.trainers.eval.EvalConfig;
import io.rlhf4j.trainers.eval.EvalResult;
import io.rlhf4j.trainers.eval.RLHFEvaluator;
import io.rlhf4j.trainers.grpo.GRPORun;
import io.rlhf4j.trainers.kto.KTOTrainer;
import io.rlhf4j.trainers.logging.LogRecord;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.loop.Trainer;
import io.rlhf4j.trainers.ppo.PPORun;
import io.rlhf4j.trainers.prm.PRMTrainer;
import io.rlhf4j.trainers.rm.RewardEnsembleTrainer;
import io.rlhf4j.trainers.sft.SFTTrainer;
import io.rlhf4j.trainers.simpo.SimPOTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The specification's orchestrator: runs a pipeline's stages in order (SFT, reward model, policy
 * optimisation, evaluation), chaining each stage's inputs from earlier outputs
 * ({@link StageResolver}), and records a training history keyed by stage in
 * {@code <output_dir>/pipeline_history.json} after every stage.
 *
 * <p>Gating: an eval stage whose thresholds fail stops the pipeline ({@code on_fail: stop}), or
 * with {@code on_fail: rollback} marks the newest policy stage rolled back and continues with the
 * policy that stage started from. Resume: stages whose entry is complete are skipped (their effect
 * on chaining replayed from the history); the interrupted one continues from its newest checkpoint.
 */
public final class RLHFOrchestrator {

    /** How a run ended: {@code passed} is false when a failed gate stopped it. */
    public record Outcome(boolean passed, PipelineHistory history) {
    }

    private final PipelineConfig pipeline;
    private final Map<String, Double> accuracyByModel = new HashMap<>();
    private PrintStream console = System.out;

    public RLHFOrchestrator(PipelineConfig pipeline) {
        this.pipeline = pipeline;
    }

    public void setConsole(PrintStream console) {
        this.console = console;
    }

    /**
     * Checks every stage's config file and overrides before anything trains, with the chained
     * folders the stages will get (references such as ${rm} are checked as the text they are).
     */
    public void validate() {
        String policy = null;
        List<StageSpec> stages = pipeline.stages();
        for (int i = 0; i < stages.size(); i++) {
            StageSpec s = stages.get(i);
            List<String> overrides = new ArrayList<>();
            overrides.add("output_dir=" + Path.of(pipeline.outputDir(), s.name()));
            if (policy != null && (s.type().isPolicy() || s.type() == StageType.EVAL)) {
                overrides.add("model_name_or_path=" + policy);
            }
            s.set().forEach((k, v) -> overrides.add(k + "=" + v));
            BaseConfig c = load(s, overrides);
            boolean feedsLater = i + 1 < stages.size() || pipeline.accuracyFile() != null;
            if (s.type().isPolicy() && c.usePeft && feedsLater) {
                // a use_peft stage saves only its adapter, which no later stage (nor the accuracy check) can load
                throw new ConfigException("stage '" + s.name() + "' (" + s.type().key() + "): use_peft: true saves only a"
                        + " LoRA adapter, which later stages and accuracy_file cannot load; make it the last stage"
                        + " without accuracy_file, or train it without use_peft");
            }
            if (s.type().isPolicy()) {
                policy = Path.of(pipeline.outputDir(), s.name()).toString();
            }
        }
    }

    public Outcome run(boolean resume) throws IOException {
        validate();
        Path out = Path.of(pipeline.outputDir());
        PipelineHistory history;
        if (resume) {
            history = PipelineHistory.read(out).orElseThrow(() -> new ConfigException("--resume: no "
                    + PipelineHistory.FILE + " in " + out.toAbsolutePath() + "; run without --resume to start fresh"));
        } else {
            history = new PipelineHistory();
        }
        PipelineState state = new PipelineState();
        int n = pipeline.stages().size();
        for (int i = 0; i < n; i++) {
            StageSpec spec = pipeline.stages().get(i);
            String tag = "pipeline: [" + (i + 1) + "/" + n + "] " + spec.name() + " (" + spec.type().key() + ")";
            StageRecord previous = history.get(spec.name());
            if (resume && previous != null && StageRecord.COMPLETE.equals(previous.status)) {
                replay(spec, previous, state);
                console.println(tag + ": complete in " + PipelineHistory.FILE + ", skipped");
                continue;
            }
            boolean continueStage = resume && previous != null && StageRecord.RUNNING.equals(previous.status);
            StageRecord r = runStage(spec, state, continueStage, history, out);
            console.println(tag + ": " + summary(r));
            if (Boolean.FALSE.equals(r.gatePassed) && StageRecord.GATE_FAILED.equals(r.status)) {
                console.println("pipeline: stopped: the gate of stage '" + spec.name() + "' failed (on_fail: stop)");
                return new Outcome(false, history);
            }
        }
        console.println("pipeline: done; history in " + out.resolve(PipelineHistory.FILE));
        return new Outcome(true, history);
    }

    private StageRecord runStage(StageSpec spec, PipelineState state, boolean continueStage, PipelineHistory history,
            Path out) throws IOException {
        BaseConfig c = load(spec, StageResolver.overrides(pipeline, spec, state));
        StageRecord r = new StageRecord();
        r.type = spec.type().key();
        r.status = StageRecord.RUNNING;
        r.outputDir = c.outputDir;
        boolean policyInput = spec.type().isPolicy() || spec.type() == StageType.EVAL;
        r.inputModel = policyInput ? c.modelNameOrPath : null;
        history.put(spec.name(), r);
        history.save(out);
        if (spec.type().isPolicy() && r.inputModel != null) {
            r.accuracyBefore = accuracy(r.inputModel).orElse(null);
        }
        long start = System.nanoTime();
        switch (spec.type()) {
            case SFT -> record(r, runSft((SFTConfig) c, continueStage));
            case RM -> {
                RewardEnsembleTrainer.Result result = runRewardModelTraining((RewardConfig) c, continueStage);
                record(r, result.members().getLast());
                r.metrics.putAll(result.evaluation());
            }
            case PRM -> record(r, runProcessRewardModelTraining((PRMConfig) c, continueStage));
            case EVAL -> {
                EvalResult result = runEval((EvalConfig) c);
                r.metrics.putAll(result.metrics());
                r.gatePassed = result.gates().isEmpty() ? null : result.passed();
            }
            default -> record(r, runPolicyOptimization(spec.type(), c, continueStage));
        }
        r.wallTimeSeconds = (System.nanoTime() - start) / 1e9;
        switch (spec.type()) {
            case RM -> state.rewardModelTrained(spec.name(), r.outputDir);
            case PRM -> state.processRewardModelTrained(spec.name(), r.outputDir);
            case EVAL -> {
                state.evaluated(spec.name(), r.outputDir);
                accuracy(r.inputModel).ifPresent(a -> r.metrics.put("accuracy", a));
            }
            default -> {
                state.policyTrained(spec.name(), r.inputModel, r.outputDir);
                r.accuracyAfter = accuracy(r.outputDir).orElse(null);
            }
        }
        r.status = StageRecord.COMPLETE;
        if (Boolean.FALSE.equals(r.gatePassed)) {
            if (spec.onFail().equals(StageSpec.ROLLBACK)) {
                Optional<String> undone = state.rollback();
                undone.ifPresent(s -> {
                    r.rolledBackStage = s;
                    history.get(s).rolledBack = true;
                });
            } else {
                r.status = StageRecord.GATE_FAILED;
            }
        }
        history.save(out);
        return r;
    }

    /** Re-applies a completed stage's effect on chaining, as recorded. */
    private static void replay(StageSpec spec, StageRecord r, PipelineState state) {
        switch (spec.type()) {
            case RM -> state.rewardModelTrained(spec.name(), r.outputDir);
            case PRM -> state.processRewardModelTrained(spec.name(), r.outputDir);
            case EVAL -> {
                state.evaluated(spec.name(), r.outputDir);
                if (r.rolledBackStage != null) {
                    state.rollback();
                }
            }
            default -> state.policyTrained(spec.name(), r.inputModel, r.outputDir);
        }
    }

    public TrainResult runSft(SFTConfig config, boolean resume) throws IOException {
        return train(SFTTrainer.fromConfig(config), resume);
    }

    /** Trains a process reward model (step-level labels, TRL's PRMTrainer). */
    public TrainResult runProcessRewardModelTraining(PRMConfig config, boolean resume) throws IOException {
        return train(PRMTrainer.fromConfig(config), resume);
    }

    public RewardEnsembleTrainer.Result runRewardModelTraining(RewardConfig config, boolean resume)
            throws IOException {
        RewardEnsembleTrainer trainer = RewardEnsembleTrainer.fromConfig(config);
        trainer.setConsole(console);
        return trainer.train(resume);
    }

    /** Trains the policy with a preference or online method: dpo, simpo, kto, grpo or ppo. */
    public TrainResult runPolicyOptimization(StageType type, BaseConfig config, boolean resume) throws IOException {
        Trainer<?, ?, ?, ?> trainer = switch (type) {
            case DPO -> DPOTrainer.fromConfig((DPOConfig) config);
            case SIMPO -> SimPOTrainer.fromConfig((SimPOConfig) config);
            case KTO -> KTOTrainer.fromConfig((KTOConfig) config);
            case GRPO -> GRPORun.trainer((GRPOConfig) config);
            case PPO -> PPORun.trainer((PPOConfig) config);
            default -> throw new IllegalArgumentException(type.key() + " is not a policy optimisation stage");
        };
        return train(trainer, resume);
    }

    public EvalResult runEval(EvalConfig config) throws IOException {
        RLHFEvaluator evaluator = new RLHFEvaluator(config);
        evaluator.setConsole(console);
        return evaluator.run();
    }

    private TrainResult train(Trainer<?, ?, ?, ?> trainer, boolean resume) throws IOException {
        trainer.setConsole(console);
        return trainer.train(resume);
    }

    private BaseConfig load(StageSpec spec, List<String> overrides) {
        try {
            return spec.config() == null ? ConfigLoader.defaults(spec.type().configClass(), overrides)
                    : ConfigLoader.load(Path.of(spec.config()), spec.type().configClass(), overrides);
        } catch (ConfigException e) {
            throw new ConfigException("stage '" + spec.name() + "' (" + spec.type().key() + "): " + e.getMessage(), e);
        }
    }

    private static void record(StageRecord r, TrainResult result) {
        r.steps = result.globalStep();
        for (LogRecord log : result.history()) {
            r.metrics.putAll(log.metrics());
        }
    }

    private Optional<Double> accuracy(String modelDir) throws IOException {
        if (pipeline.accuracyFile() == null || modelDir == null) {
            return Optional.empty();
        }
        Double known = accuracyByModel.get(modelDir);
        if (known == null) {
            known = new TaskAccuracy(Path.of(pipeline.accuracyFile()), pipeline.accuracyMaxNewTokens())
                    .measure(Path.of(modelDir));
            accuracyByModel.put(modelDir, known);
        }
        return Optional.of(known);
    }

    /** One line: steps and time, the headline metrics, task accuracy before → after, the gate. */
    static String summary(StageRecord r) {
        StringBuilder sb = new StringBuilder();
        if (r.steps != null) {
            sb.append(r.steps).append(" steps, ");
        }
        sb.append(String.format(Locale.ROOT, "%.1f s", r.wallTimeSeconds));
        Map<String, Double> shown = new LinkedHashMap<>();
        for (String key : List.of(r.type + "/loss", "rm/eval_accuracy", "grpo/reward", "dpo/rewards/accuracies",
                "accuracy", "kl", "reward_accuracy", "win_rate")) {
            Double v = r.metrics.get(key);
            if (v != null) {
                shown.put(key, v);
            }
        }
        shown.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "; %s %.4f", k, v)));
        if (r.accuracyBefore != null || r.accuracyAfter != null) {
            sb.append(String.format(Locale.ROOT, "; task accuracy %s -> %s", fmt(r.accuracyBefore),
                    fmt(r.accuracyAfter)));
        }
        if (r.gatePassed != null) {
            sb.append(r.gatePassed ? "; gate passed" : "; gate FAILED");
        }
        if (r.rolledBackStage != null) {
            sb.append("; rolled back stage '").append(r.rolledBackStage).append("'");
        }
        return sb.append("; output ").append(r.outputDir).toString();
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
