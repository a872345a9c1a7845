package io.rlhf4j.trainers.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in pipeline of {@code rlhf4j demo}: the example configs (run from the repository root)
 * chained SFT → reward model → GRPO → eval on the tiny example chat model and the arithmetic task,
 * with task accuracy measured on 14 held-out sums (examples/data/arithmetic_eval.jsonl, questions
 * that none of the training files contains) before and after every policy stage.
 */
public final class DemoPipeline {

    /** Files the demo reads, relative to the repository root. */
    public static final List<String> INPUTS = List.of("examples/sft.yaml", "examples/rm.yaml", "examples/grpo.yaml",
            "examples/eval.yaml", "examples/models/tiny-chat", "examples/data/arithmetic_eval.jsonl");

    private DemoPipeline() {
    }

    public static PipelineConfig config(String outputDir) {
        Map<String, String> sft = new LinkedHashMap<>();
        sft.put("num_train_epochs", "40");
        sft.put("save_steps", "1000");
        Map<String, String> rm = new LinkedHashMap<>();
        rm.put("model_name_or_path", "${policy}");
        Map<String, String> grpo = new LinkedHashMap<>();
        grpo.put("max_steps", "20");
        grpo.put("learning_rate", "1.0e-4");
        Map<String, String> eval = new LinkedHashMap<>();
        eval.put("reference_model", "${stages.sft.output_dir}");
        eval.put("baseline_model", "${stages.sft.output_dir}");
        eval.put("reward_model", "${rm}");
        eval.put("tokenizer_name_or_path", "${policy}");
        eval.put("thresholds", "kl_max:1.0,distinct_1_min:0.05");
        return new PipelineConfig(outputDir, 42L, "examples/data/arithmetic_eval.jsonl", 8, List.of(
                new StageSpec("sft", StageType.SFT, "examples/sft.yaml", sft, StageSpec.STOP),
                new StageSpec("rm", StageType.RM, "examples/rm.yaml", rm, StageSpec.STOP),
                new StageSpec("grpo", StageType.GRPO, "examples/grpo.yaml", grpo, StageSpec.STOP),
                new StageSpec("eval", StageType.EVAL, "examples/eval.yaml", eval, StageSpec.ROLLBACK)));
    }
}
