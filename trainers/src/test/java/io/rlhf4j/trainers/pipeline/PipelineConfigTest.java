package io.rlhf4j.trainers.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.trainers.TestAssets;
import io.rlhf4j.trainers.config.ConfigException;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {

    private static final String GOOD = """
            output_dir: runs/p
            seed: 3
            stages:
              - name: sft
                type: sft
                config: examples/sft.yaml
                set: {max_steps: 5, report_to: [jsonl, tensorboard]}
              - {name: gate, type: eval, on_fail: rollback}
            """;

    @Test
    void parsesStagesAndTurnsSetValuesIntoOverrides() {
        PipelineConfig c = PipelineConfig.parse(GOOD, "p.yaml");
        assertThat(c.outputDir()).isEqualTo("runs/p");
        assertThat(c.seed()).isEqualTo(3L);
        assertThat(c.stages()).extracting(StageSpec::name).containsExactly("sft", "gate");
        assertThat(c.stages().get(0).set()).containsEntry("max_steps", "5").containsEntry("report_to", "jsonl,tensorboard");
        assertThat(c.stages().get(0).onFail()).isEqualTo(StageSpec.STOP);
        assertThat(c.stages().get(1).type()).isEqualTo(StageType.EVAL);
        assertThat(c.stages().get(1).onFail()).isEqualTo(StageSpec.ROLLBACK);
        assertThat(c.stages().get(1).config()).isNull();
    }

    @Test
    void everyStageTypeIsAcceptedByItsKey() {
        for (StageType type : StageType.values()) {
            String yaml = "output_dir: runs/p\nstages:\n  - {name: s, type: " + type.key() + "}\n";
            assertThat(PipelineConfig.parse(yaml, "p.yaml").stages().get(0).type()).isEqualTo(type);
        }
        assertThat(StageType.PRM.isPolicy()).isFalse();
        assertThat(StageType.PPO.isPolicy()).isTrue();
    }

    @Test
    void commandLineOverridesReachTheNamedStage() {
        PipelineConfig c = PipelineConfig.parse(GOOD, "p.yaml").withOverride("stages.sft.max_steps=1")
                .withOverride("output_dir=elsewhere");
        assertThat(c.stages().get(0).set()).containsEntry("max_steps", "1");
        assertThat(c.outputDir()).isEqualTo("elsewhere");
        assertThatThrownBy(() -> c.withOverride("stages.nope.max_steps=1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no stage named 'nope'");
        assertThatThrownBy(() -> c.withOverride("seeds=1")).hasMessageContaining("unknown key 'seeds'");
        assertThatThrownBy(() -> c.withOverride("output_dir=")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("output_dir must name the pipeline's folder");
        assertThatThrownBy(() -> c.withOverride("accuracy_max_new_tokens=0"))
                .hasMessageContaining("accuracy_max_new_tokens must be >= 1, got 0");
    }

    @Test
    void errorsNameTheStageAndKey() {
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD.replace("config:", "confg:"), "p.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("p.yaml: stages[0] (sft): unknown key 'confg'");
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD.replace("type: sft", "type: sfft"), "p.yaml"))
                .hasMessageContaining("stages[0] (sft): type: unknown stage type 'sfft'");
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD.replace("name: gate", "name: sft"), "p.yaml"))
                .hasMessageContaining("stages[1] (sft): name 'sft' is used by an earlier stage");
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD.replace("type: eval", "type: dpo"), "p.yaml"))
                .hasMessageContaining("stages[1] (gate): on_fail applies to eval stages only");
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD.replace("on_fail: rollback", "on_fail: retry"), "p.yaml"))
                .hasMessageContaining("(gate): on_fail must be stop or rollback, got 'retry'");
        assertThatThrownBy(() -> PipelineConfig.parse("output_dir: x\nstages: []\n", "p.yaml"))
                .hasMessageContaining("p.yaml: stages must be a non-empty list");
    }

    @Test
    void aStageConfigErrorNamesTheStage() {
        String local = GOOD.replace("examples/sft.yaml", TestAssets.EXAMPLES.resolve("sft.yaml").toString());
        PipelineConfig c = PipelineConfig.parse(local, "p.yaml").withOverride("stages.gate.num_samples=0");
        assertThatThrownBy(() -> new RLHFOrchestrator(c).validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stage 'gate' (eval): ").hasMessageContaining("num_samples");
    }
}
