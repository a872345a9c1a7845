package io.rlhf4j.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Schedules against transformers' lr lambdas and LambdaLR stepping (make_optim_fixtures.py). */
class ScheduleTest {

    private final JsonNode f = Fixtures.get("schedules");
    private final long warmup = f.get("warmup").asLong();
    private final long total = f.get("total").asLong();

    @Test
    void multipliersMatchTransformers() {
        int[] steps = Fixtures.ints(f.get("steps"));
        Map<String, Schedule> schedules = Map.of(
                "cosine", Schedule.cosineWithWarmup(warmup, total),
                "linear", Schedule.linearWithWarmup(warmup, total),
                "constant", Schedule.constantWithWarmup(warmup));
        schedules.forEach((name, schedule) -> {
            double[] expected = Fixtures.doubles(f.get(name));
            for (int i = 0; i < steps.length; i++) {
                assertThat(schedule.multiplier(steps[i])).as("%s at step %d", name, steps[i])
                        .isCloseTo(expected[i], within(1e-15));
            }
        });
    }

    @Test
    void schedulerSetsTheLearningRateLikeLambdaLr() {
        for (String name : List.of("cosine", "linear", "constant")) {
            Schedule s = switch (name) {
                case "cosine" -> Schedule.cosineWithWarmup(warmup, total);
                case "linear" -> Schedule.linearWithWarmup(warmup, total);
                default -> Schedule.constantWithWarmup(warmup);
            };
            AdamW opt = new AdamW(List.of(Tensor.zeros(DType.F32, 1).requiresGrad(true)), 1.0);
            LrScheduler scheduler = new LrScheduler(opt, s);
            double[] expected = Fixtures.doubles(f.get(name + "_stepped"));
            for (double e : expected) {
                assertThat(opt.lr()).as(name).isCloseTo(e, within(1e-15));
                opt.step();
                scheduler.step();
            }
        }
    }

    @Test
    void schedulerStateRestoresBaseRatesAndStep() {
        ParamGroup a = new ParamGroup(List.of(Tensor.zeros(DType.F32, 1).requiresGrad(true)), 2e-3, 0.1);
        ParamGroup b = new ParamGroup(List.of(Tensor.zeros(DType.F32, 1).requiresGrad(true)), 1e-3, 0);
        AdamW opt = new AdamW(List.of(a, b), 0.9, 0.999, 1e-8);
        LrScheduler sched = new LrScheduler(opt, Schedule.linearWithWarmup(2, 10));
        for (int i = 0; i < 4; i++) {
            sched.step();
        }
        AdamW fresh = new AdamW(List.of(
                new ParamGroup(a.params(), 2e-3, 0.1), new ParamGroup(b.params(), 1e-3, 0)), 0.9, 0.999, 1e-8);
        LrScheduler resumed = new LrScheduler(fresh, Schedule.linearWithWarmup(2, 10));
        resumed.loadStateDict(sched.stateDict());
        assertThat(resumed.currentStep()).isEqualTo(4);
        assertThat(fresh.paramGroups().get(1).lr()).isEqualTo(b.lr()).isCloseTo(1e-3 * 6 / 8, within(1e-18));
        assertThat(fresh.lr()).isEqualTo(a.lr());
    }

    @Test
    void createOptimizerUsesCosineWhenTheTotalIsKnownAndConstantOtherwise() {
        List<Tensor> params = List.of(Tensor.zeros(DType.F32, 3).requiresGrad(true));
        Optimizers.OptimizerSetup known = Optimizers.create(params, 1e-3, 0.05, 0.9, 0.95, 1e-6, 10, 100);
        assertThat(known.optimizer().lr()).isZero();
        assertThat(known.optimizer().paramGroups().get(0).weightDecay()).isEqualTo(0.05);
        assertThat(known.optimizer().beta2()).isEqualTo(0.95);
        assertThat(known.optimizer().eps()).isEqualTo(1e-6);
        for (int i = 0; i < 55; i++) {
            known.step();
        }
        assertThat(known.optimizer().lr()).isCloseTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 45 / 90)), within(1e-18));
        Optimizers.OptimizerSetup unknown = Optimizers.create(params, 1e-3, 0.0, 0.9, 0.999, 1e-8, 2, 0);
        for (int i = 0; i < 50; i++) {
            unknown.step();
        }
        assertThat(unknown.optimizer().lr()).isEqualTo(1e-3);
    }
}
