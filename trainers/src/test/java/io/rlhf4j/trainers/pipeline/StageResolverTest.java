package io.rlhf4j.trainers.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.trainers.config.ConfigException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageResolverTest {

    private static final String OUT = Path.of("runs", "p").toString();

    private static StageSpec stage(String name, StageType type, Map<String, String> set) {
        return new StageSpec(name, type, null, set, StageSpec.STOP);
    }

    private static PipelineConfig pipeline(Long seed, StageSpec... stages) {
        return new PipelineConfig(OUT, seed, null, 8, List.of(stages));
    }

    @Test
    void firstPolicyStageKeepsItsModelAndGetsFolderAndSeed() {
        StageSpec sft = stage("sft", StageType.SFT, Map.of());
        List<String> o = StageResolver.overrides(pipeline(7L, sft), sft, new PipelineState());
        assertThat(o).containsExactly("output_dir=" + Path.of(OUT, "sft"), "seed=7");
    }

    @Test
    void policyAndEvalStagesStartFromThePreviousPolicyAndReferencesResolve() {
        StageSpec grpo = stage("grpo", StageType.GRPO, Map.of("reward_funcs", "exact_match,reward_model:${rm}"));
        StageSpec rm = stage("rm", StageType.RM, Map.of());
        StageSpec eval = stage("gate", StageType.EVAL, Map.of("reference_model", "${stages.sft.output_dir}"));
        PipelineState state = new PipelineState();
        state.policyTrained("sft", "base", "out/sft");
        state.rewardModelTrained("rm", "out/rm");
        PipelineConfig p = pipeline(null, grpo, rm, eval);
        assertThat(StageResolver.overrides(p, grpo, state)).containsExactly("output_dir=" + Path.of(OUT, "grpo"),
                "model_name_or_path=out/sft", "reward_funcs=exact_match,reward_model:out/rm");
        assertThat(StageResolver.overrides(p, rm, state)).containsExactly("output_dir=" + Path.of(OUT, "rm"));
        assertThat(StageResolver.overrides(p, eval, state)).containsExactly("output_dir=" + Path.of(OUT, "gate"),
                "model_name_or_path=out/sft", "reference_model=out/sft");
    }

    @Test
    void setWinsOverChainingBecauseItComesLast() {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("model_name_or_path", "pinned");
        set.put("output_dir", "elsewhere");
        StageSpec dpo = stage("dpo", StageType.DPO, set);
        PipelineState state = new PipelineState();
        state.policyTrained("sft", "base", "out/sft");
        assertThat(StageResolver.overrides(pipeline(null, dpo), dpo, state))
                .endsWith("model_name_or_path=pinned", "output_dir=elsewhere");
    }

    @Test
    void rollbackReturnsToThePolicyTheStageStartedFrom() {
        PipelineState state = new PipelineState();
        state.policyTrained("sft", "base", "out/sft");
        state.policyTrained("dpo", "out/sft", "out/dpo");
        assertThat(state.rollback()).contains("dpo");
        assertThat(state.policy()).isEqualTo("out/sft");
        assertThat(state.rollback()).contains("sft");
        assertThat(state.policy()).isEqualTo("base");
        assertThat(state.rollback()).isEmpty();
    }

    @Test
    void unresolvableReferencesNameTheStageAndKey() {
        StageSpec grpo = stage("grpo", StageType.GRPO, Map.of("reward_funcs", "reward_model:${rm}"));
        assertThatThrownBy(() -> StageResolver.overrides(pipeline(null, grpo), grpo, new PipelineState()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("stage 'grpo': set.reward_funcs: ${rm}").hasMessageContaining("no rm stage");
        StageSpec eval = stage("e", StageType.EVAL, Map.of("baseline_model", "${stages.later.output_dir}"));
        assertThatThrownBy(() -> StageResolver.overrides(pipeline(null, eval), eval, new PipelineState()))
                .hasMessageContaining("stage 'e': set.baseline_model").hasMessageContaining("no stage 'later'");
        StageSpec typo = stage("t", StageType.SFT, Map.of("train_file", "${polcy}"));
        assertThatThrownBy(() -> StageResolver.overrides(pipeline(null, typo), typo, new PipelineState()))
                .hasMessageContaining("${polcy} is not a known reference");
    }
}
