package io.rlhf4j.trainers.simpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.config.ConfigLoader;
import io.rlhf4j.trainers.config.SimPOConfig;
import io.rlhf4j.trainers.logging.LogRecord;
import io.rlhf4j.trainers.loop.TrainResult;
import io.rlhf4j.trainers.preference.PreferenceRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimPOTrainerTest {

    @TempDir
    Path dir;

    private static List<Double> values(List<LogRecord> history, String name) {
        return history.stream().filter(h -> h.metrics().containsKey(name)).map(h -> h.metrics().get(name)).toList();
    }

    /**
     * 12 steps on the first 8 example pairs (β 2, γ 1, constant lr 3e-3). At the start the average
     * log-probs of chosen and rejected answers are about equal, so the loss is near −logσ(−γ) =
     * 1.31; the pairs are then learnt (last two steps about 0.02, all ranked right, when this was
     * written). Rewards are β × the mean log-prob per token, as TRL's CPO logs them.
     */
    @Test
    void lossFallsAndRewardAccuracyRises() throws IOException {
        SimPOConfig c = PreferenceRuns.memorize(new SimPOConfig(), dir, "run");
        c.beta = 2;
        c.simpoGamma = 1;
        SimPOTrainer t = SimPOTrainer.fromConfig(c);
        t.setConsole(PreferenceRuns.QUIET);
        TrainResult r = t.train(false);
        List<LogRecord> h = r.history();
        double first = r.stepLosses().getFirst();
        assertThat(first).isCloseTo(-Math.log(1 / (1 + Math.exp(1))), within(0.3));
        assertThat(values(h, "simpo/loss").getLast()).isLessThan(0.2);
        assertThat(values(h, "simpo/rewards/accuracies").getLast()).isGreaterThan(0.9);
        assertThat(values(h, "simpo/rewards/margins").getLast()).isGreaterThan(1);
        double chosenLogp = values(h, "simpo/logps/chosen").getLast();
        assertThat(chosenLogp).isBetween(-20.0, 0.0);
        assertThat(values(h, "simpo/rewards/chosen").getLast()).isCloseTo(2 * chosenLogp, within(1e-9));
    }

    @Test
    void configRejectsWhatIsNotSimPO() {
        Path yaml = dir.resolve("bad.yaml");
        assertThatThrownBy(() -> {
            Files.writeString(yaml, "cpo_alpha: 1.0\nloss_type: hinge\n");
            ConfigLoader.load(yaml, SimPOConfig.class, List.of());
        }).isInstanceOf(ConfigException.class).hasMessageContaining("cpo_alpha").hasMessageContaining("loss_type");
    }
}
