package io.rlhf4j.trainers.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RLHFOrchestratorTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private static StageSpec sft(String name, int steps) {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("model_name_or_path", TestAssets.EXAMPLE_MODEL.toString());
        set.put("train_file", TestAssets.EXAMPLES.resolve("data/sft.jsonl").toString());
        set.put("eval_file", "null");
        set.put("max_steps", String.valueOf(steps));
        set.put("save_steps", "1");
        set.put("report_to", "none");
        if (!name.equals("sft")) {
            set.remove("model_name_or_path");
        }
        return new StageSpec(name, StageType.SFT, TestAssets.EXAMPLES.resolve("sft.yaml").toString(), set,
                StageSpec.STOP);
    }

    /** An eval of the current policy's diversity, gated on distinct_1 >= bound. */
    private static StageSpec eval(String name, double distinctMin, String onFail) {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("prompt_file", TestAssets.EXAMPLES.resolve("data/grpo.jsonl").toString());
        set.put("max_prompts", "2");
        set.put("num_samples", "2");
        set.put("max_new_tokens", "4");
        set.put("thresholds", distinctMin < 0 ? "" : "distinct_1_min:" + distinctMin);
        return new StageSpec(name, StageType.EVAL, null, set, onFail);
    }

    private RLHFOrchestrator.Outcome run(PipelineConfig p, boolean resume) throws IOException {
        RLHFOrchestrator o = new RLHFOrchestrator(p);
        o.setConsole(new PrintStream(console, true, StandardCharsets.UTF_8));
        return o.run(resume);
    }

    private String out() {
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheHistoryChainsStagesAndResumesTheInterruptedOne() throws IOException {
        Path out = dir.resolve("p");
        PipelineConfig p = new PipelineConfig(out.toString(), 5L, null, 8, List.of(sft("sft", 2), sft("more", 2)));
        assertThat(run(p, false).passed()).isTrue();

        PipelineHistory h = PipelineHistory.read(out).orElseThrow();
        assertThat(h.stages.keySet()).containsExactly("sft", "more");
        StageRecord first = h.get("sft");
        assertThat(first.status).isEqualTo(StageRecord.COMPLETE);
        assertThat(first.steps).isEqualTo(2);
        assertThat(first.outputDir).isEqualTo(out.resolve("sft").toString());
        assertThat(first.metrics).containsKey("sft/loss");
        assertThat(first.wallTimeSeconds).isPositive();
        assertThat(h.get("more").inputModel).isEqualTo(out.resolve("sft").toString());
        assertThat(out.resolve("more/model.safetensors")).exists();

        // Interrupt the second stage as a crash would: its entry says running.
        h.get("more").status = StageRecord.RUNNING;
        h.save(out);
        console.reset();
        assertThat(run(p, true).passed()).isTrue();
        assertThat(out()).contains("[1/2] sft (sft): complete in pipeline_history.json, skipped")
                .contains("resumed from").contains("checkpoint-2");
        assertThat(PipelineHistory.read(out).orElseThrow().get("more").status).isEqualTo(StageRecord.COMPLETE);
    }

    @Test
    void aFailedGateStopsThePipeline() throws IOException {
        Path out = dir.resolve("stop");
        PipelineConfig p = new PipelineConfig(out.toString(), null, null, 8,
                List.of(sft("sft", 1), eval("gate", 2.0, StageSpec.STOP), sft("never", 1)));
        RLHFOrchestrator.Outcome o = run(p, false);
        assertThat(o.passed()).isFalse();
        assertThat(o.history().get("gate").status).isEqualTo(StageRecord.GATE_FAILED);
        assertThat(o.history().get("gate").gatePassed).isFalse();
        assertThat(o.history().stages).doesNotContainKey("never");
        assertThat(out()).contains("gate FAILED").contains("stopped");
    }

    @Test
    void aFailedGateWithRollbackRestartsFromTheEarlierPolicy() throws IOException {
        Path out = dir.resolve("rollback");
        PipelineConfig p = new PipelineConfig(out.toString(), null, null, 8, List.of(sft("sft", 1),
                sft("more", 1), eval("gate", 2.0, StageSpec.ROLLBACK), eval("after", -1, StageSpec.STOP)));
        RLHFOrchestrator.Outcome o = run(p, false);
        assertThat(o.passed()).isTrue();
        PipelineHistory h = PipelineHistory.read(out).orElseThrow();
        assertThat(h.get("gate").rolledBackStage).isEqualTo("more");
        assertThat(h.get("gate").status).isEqualTo(StageRecord.COMPLETE);
        assertThat(h.get("more").rolledBack).isTrue();
        assertThat(h.get("sft").rolledBack).isNull();
        assertThat(h.get("after").inputModel).isEqualTo(out.resolve("sft").toString());
        assertThat(h.get("after").gatePassed).isNull();
    }

    /** An adapter-only output cannot feed a later stage: refused before anything trains. */
    @Test
    void aUsePeftStageThatFeedsALaterStageIsRefused() {
        StageSpec plain = sft("sft", 1);
        Map<String, String> set = new LinkedHashMap<>(plain.set());
        set.put("use_peft", "true");
        StageSpec lora = new StageSpec("sft", StageType.SFT, plain.config(), set, StageSpec.STOP);
        PipelineConfig p = new PipelineConfig(dir.resolve("peft").toString(), null, null, 8,
                List.of(lora, eval("gate", -1, StageSpec.STOP)));
        assertThatThrownBy(() -> new RLHFOrchestrator(p).validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stage 'sft' (sft): use_peft: true saves only a LoRA adapter");
        PipelineConfig last = new PipelineConfig(dir.resolve("peft-last").toString(), null, null, 8, List.of(lora));
        new RLHFOrchestrator(last).validate();
    }
}
