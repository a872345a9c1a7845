package io.rlhf4j.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * AdamW and SGD against torch.optim, five steps with given gradients (see
 * make_optim_fixtures.py). Errors are relative to the largest magnitude in the parameter, since
 * elements that cancel to near zero carry the rounding of their larger operands.
 */
class OptimizerFixtureTest {

    private static final double F32_REL = 1e-6;
    private static final double F64_REL = 1e-12;

    @Test
    void adamwMatchesTorchInF32() {
        replay("adamw_f32", DType.F32, F32_REL, groups -> new AdamW(groups, 0.9, 0.999, 1e-8));
    }

    @Test
    void adamwMatchesTorchInF64() {
        replay("adamw_f64", DType.F64, F64_REL, groups -> new AdamW(groups, 0.9, 0.999, 1e-8));
    }

    @Test
    void adamwWithSmallBeta1UsesTorchsOtherLerpBranch() {
        replay("adamw_low_beta1_f32", DType.F32, F32_REL, groups -> new AdamW(groups, 0.3, 0.95, 1e-6));
    }

    @Test
    void sgdMatchesTorch() {
        replay("sgd_plain_f32", DType.F32, F32_REL, groups -> new SGD(groups, 0, 0, false));
        replay("sgd_momentum_f32", DType.F32, F32_REL, groups -> new SGD(groups, 0.9, 0.1, false));
        replay("sgd_nesterov_f32", DType.F32, F32_REL, groups -> new SGD(groups, 0.9, 0, true));
        replay("sgd_nesterov_f64", DType.F64, F64_REL, groups -> new SGD(groups, 0.9, 0, true));
    }

    private static void replay(String name, DType dtype, double rel, Function<List<ParamGroup>, Optimizer> make) {
        JsonNode f = Fixtures.get(name);
        JsonNode shapes = f.get("shapes");
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            params.add(Fixtures.tensor(f.get("init").get(i), shapes.get(i), dtype).requiresGrad(true));
        }
        List<ParamGroup> groups = new ArrayList<>();
        for (JsonNode g : f.get("groups")) {
            List<Tensor> members = new ArrayList<>();
            for (int idx : Fixtures.ints(g.get("params"))) {
                members.add(params.get(idx));
            }
            groups.add(new ParamGroup(members, g.get("lr").asDouble(), g.get("weight_decay").asDouble()));
        }
        Optimizer opt = make.apply(groups);
        JsonNode grads = f.get("grads");
        for (int step = 0; step < grads.size(); step++) {
            for (int i = 0; i < params.size(); i++) {
                JsonNode g = grads.get(step).get(i);
                params.get(i).setGrad(g.isNull() ? null : Fixtures.tensor(g, shapes.get(i), dtype));
            }
            opt.step();
            for (int i = 0; i < params.size(); i++) {
                double[] expected = Fixtures.doubles(f.get("params_after").get(step).get(i));
                double[] actual = params.get(i).toDoubleArray();
                double scale = java.util.Arrays.stream(expected).map(Math::abs).max().orElse(1);
                for (int j = 0; j < expected.length; j++) {
                    assertThat(Math.abs(actual[j] - expected[j]))
                            .as("%s step %d param %d element %d: %s vs torch %s", name, step, i, j, actual[j], expected[j])
                            .isLessThanOrEqualTo(rel * scale);
                }
            }
        }
    }
}
