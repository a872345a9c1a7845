package io.rlhf4j.trainers.ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.trainers.config.PPOConfig;
import io.rlhf4j.trainers.config.Validator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KlControllerTest {

    /** Ziegler et al.'s update, computed by hand: e = clip(KL/target − 1, ±0.2), β ← β(1 + e·n/horizon). */
    @Test
    void adaptiveUpdateFollowsTheProportionalRule() {
        KlController c = new KlController(0.1, 6.0, 10000);
        c.update(8.0, 64);  // 8/6 − 1 = 0.333 clipped to 0.2
        assertThat(c.value()).isCloseTo(0.1 * (1 + 0.2 * 64 / 10000.0), within(1e-15));
        double before = c.value();
        c.update(5.4, 100);  // 5.4/6 − 1 = −0.1
        assertThat(c.value()).isCloseTo(before * (1 - 0.1 * 100 / 10000.0), within(1e-15));
        KlController restored = new KlController(0.5, 6.0, 10000);
        restored.loadStateDict(c.stateDict());
        assertThat(restored.value()).isEqualTo(c.value());
    }

    @Test
    void withoutTargetTheCoefficientStaysFixed() {
        KlController c = new KlController(0.05, null, 10000);
        c.update(100, 64);
        assertThat(c.value()).isEqualTo(0.05);
        assertThat(c.stateDict()).isEqualTo(Map.of("kl_coef", 0.05));
    }

    @Test
    void configRejectsBadKeys() {
        PPOConfig c = new PPOConfig();
        c.modelNameOrPath = "m";
        c.perDeviceTrainBatchSize = 3;
        c.gradientAccumulationSteps = 1;
        c.numMiniBatches = 2;
        c.klEstimator = "k2";
        c.stopToken = "</s>";
        assertThat(c.validate()).extracting(Validator.Problem::field)
                .containsExactlyInAnyOrder("num_mini_batches", "kl_estimator", "stop_token");
    }
}
