package io.rlhf4j.trainers.kto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The KL reference point: TRL's per-batch estimate, and the EMA with its warmup buffer and saved state. */
class KLReferenceTest {

    @Test
    void perBatchIsTheClampedEstimateAndHasNoState() {
        KLReference r = new KLReference(null, 0);
        assertThat(r.update(0.7)).isEqualTo(0.7);
        assertThat(r.update(-0.2)).isEqualTo(0.0);
        assertThat(r.update(1.5)).isEqualTo(1.5);
        assertThat(r.state()).isEmpty();
    }

    @Test
    void emaAveragesTheWarmupBufferThenDecays() {
        KLReference r = new KLReference(0.9, 3);
        assertThat(r.update(1.0)).isEqualTo(1.0);
        assertThat(r.update(2.0)).isEqualTo(1.5);
        assertThat(r.update(-3.0)).isEqualTo(0.0); // buffer mean 0, clamped
        // after the buffer: m = 0.9·0 + 0.1·4 = 0.4, then 0.9·0.4 + 0.1·(−10) = −0.64 → clamped at 0
        assertThat(r.update(4.0)).isCloseTo(0.4, within(1e-15));
        assertThat(r.update(-10.0)).isEqualTo(0.0);
        assertThat(r.update(20.0)).isCloseTo(0.9 * -0.64 + 0.1 * 20, within(1e-14));
    }

    @Test
    void stateRoundTripsExactly() {
        KLReference a = new KLReference(0.75, 2);
        for (double kl : new double[] {0.3, 0.11, 0.47}) {
            a.update(kl);
        }
        Map<String, Double> saved = a.state();
        KLReference b = new KLReference(0.75, 2);
        b.load(saved);
        for (double kl : new double[] {0.9, 0.01, 0.33}) {
            assertThat(b.update(kl)).isEqualTo(a.update(kl));
        }
        KLReference fresh = new KLReference(0.75, 2);
        fresh.load(Map.of());
        assertThat(fresh.update(0.5)).isEqualTo(0.5);
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> new KLReference(1.0, 0)).hasMessageContaining("kl_ema_decay");
        assertThatThrownBy(() -> new KLReference(0.5, -1)).hasMessageContaining("kl_warmup_steps");
    }
}
