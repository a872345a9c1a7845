package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.trainers.config.SFTConfig;
import java.io.InputStream;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Against transformers' Trainer, recorded by src/test/python/make_step_schedule_fixture.py. */
class StepScheduleTest {

    @Test
    void matchesTransformersTrainer() throws Exception {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/step_schedule.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        assertThat(fixture.get("cases").size()).isEqualTo(8);
        for (JsonNode c : fixture.get("cases")) {
            SFTConfig config = new SFTConfig();
            config.perDeviceTrainBatchSize = c.get("batch").asInt();
            config.gradientAccumulationSteps = c.get("accumulation").asInt();
            config.numTrainEpochs = c.get("epochs").asDouble();
            config.maxSteps = c.get("max_steps").asLong();
            config.warmupSteps = c.get("warmup").asDouble();
            StepSchedule s = StepSchedule.compute(config, OptionalLong.of(c.get("n").asLong()),
                    c.get("drop_last").asBoolean());
            assertThat(s).as("case %s", c).isEqualTo(new StepSchedule(c.get("batches_per_epoch").asLong(),
                    c.get("updates_per_epoch").asLong(), c.get("total_steps").asLong(), c.get("num_epochs").asLong(),
                    c.get("warmup_steps").asLong()));
        }
    }

    @Test
    void warmupRatioOfTransformers4() {
        SFTConfig config = new SFTConfig();
        config.warmupRatio = 0.1;
        config.maxSteps = 95;
        // ceil(95 × 0.1) = 10
        assertThat(StepSchedule.compute(config, OptionalLong.of(10), false).warmupSteps()).isEqualTo(10);
    }

    @Test
    void streamingNeedsMaxSteps() {
        SFTConfig config = new SFTConfig();
        assertThatThrownBy(() -> StepSchedule.compute(config, OptionalLong.empty(), false))
                .hasMessageContaining("max_steps must be set");
        config.maxSteps = 30;
        StepSchedule s = StepSchedule.compute(config, OptionalLong.empty(), false);
        assertThat(s.totalSteps()).isEqualTo(30);
        assertThat(s.batchesPerEpoch()).isEqualTo(-1);
    }

    @Test
    void intervalsAndLrSchedules() {
        SFTConfig config = new SFTConfig();
        config.maxSteps = 200;
        config.warmupSteps = 20;
        StepSchedule s = StepSchedule.compute(config, OptionalLong.of(64), false);
        assertThat(s.interval(10)).isEqualTo(10);
        assertThat(s.interval(0.25)).isEqualTo(50);
        assertThat(s.interval(0.001)).isEqualTo(1);
        assertThat(s.lrSchedule("linear").multiplier(110)).isEqualTo(0.5);
        assertThat(s.lrSchedule("cosine").multiplier(110)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.lrSchedule("constant_with_warmup").multiplier(10)).isEqualTo(0.5);
        assertThat(s.lrSchedule("constant").multiplier(0)).isEqualTo(1.0);
        assertThatThrownBy(() -> s.lrSchedule("polynomial")).hasMessageContaining("lr_scheduler_type must be one of");
    }
}
