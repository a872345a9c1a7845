package io.rlhf4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.layers.Dropout;
import io.rlhf4j.nn.layers.Embedding;
import io.rlhf4j.nn.layers.Linear;
import io.rlhf4j.nn.layers.RmsNorm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** embed [5, 3]; layers.0 = (norm [3], proj [4, 3] + bias [4]); head tied to embed. */
    static final class Tiny extends Module {
        final Embedding embed = registerModule("embed", new Embedding(5, 3, DType.F32));
        final ModuleList<Block> layers = registerModule("layers", new ModuleList<>(List.of(new Block())));
        final Linear head = registerModule("head", new Linear(embed.weight(), null));
    }

    static final class Block extends Module {
        final RmsNorm norm = registerModule("norm", new RmsNorm(3, 1e-6, DType.F32));
        final Linear proj = registerModule("proj", new Linear(3, 4, true, DType.F32));
        final Dropout dropout = registerModule("dropout", new Dropout(0.5, 1));
    }

    private static Map<String, Tensor> fullState() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("embed.weight", Tensor.full(1, DType.F32, 5, 3));
        s.put("layers.0.norm.weight", Tensor.full(2, DType.F32, 3));
        s.put("layers.0.proj.weight", Tensor.full(3, DType.F32, 4, 3));
        s.put("layers.0.proj.bias", Tensor.full(4, DType.F32, 4));
        return s;
    }

    @Test
    void namesAreDottedPathsInRegistrationOrderAndTiedParametersAppearOnce() {
        Tiny m = new Tiny();
        assertThat(m.namedParameters().keySet()).containsExactly("embed.weight", "layers.0.norm.weight",
                "layers.0.proj.weight", "layers.0.proj.bias");
        assertThat(m.stateDict().keySet()).containsExactlyElementsOf(m.namedParameters().keySet());
        assertThat(m.parameterCount()).isEqualTo(15 + 3 + 12 + 4);
        assertThat(m.head.weight()).isSameAs(m.embed.weight());
        assertThat(m.namedChildren().keySet()).containsExactly("embed", "layers", "head");
    }

    @Test
    void loadStateDictCopiesConvertsAndSharesTiedWeights() {
        Tiny m = new Tiny();
        Map<String, Tensor> state = fullState();
        state.put("layers.0.proj.weight", Tensor.full(3, DType.BF16, 4, 3));
        Module.LoadResult r = m.loadStateDict(state, true);
        assertThat(r.missing()).isEmpty();
        assertThat(r.unexpected()).isEmpty();
        assertThat(m.namedParameters().get("layers.0.proj.weight").dtype()).isEqualTo(DType.F32);
        assertThat(m.namedParameters().get("layers.0.proj.weight").tensor().toFloatArray()).containsOnly(3f);
        assertThat(m.head.weight().tensor().toFloatArray()).containsOnly(1f);
        state.get("embed.weight").fill(7);
        assertThat(m.embed.weight().tensor().toFloatArray()).as("copied, not aliased").containsOnly(1f);
    }

    @Test
    void strictLoadNamesMissingAndUnexpectedTensors() {
        Tiny m = new Tiny();
        Map<String, Tensor> state = fullState();
        state.remove("layers.0.proj.bias");
        state.put("layers.0.extra", Tensor.zeros(DType.F32, 1));
        assertThatThrownBy(() -> m.loadStateDict(state, true)).isInstanceOfSatisfying(StateDictException.class, e -> {
            assertThat(e.missing()).containsExactly("layers.0.proj.bias");
            assertThat(e.unexpected()).containsExactly("layers.0.extra");
            assertThat(e.getMessage()).contains("missing tensors (1): layers.0.proj.bias")
                    .contains("unexpected tensors (1): layers.0.extra");
        });
        assertThat(m.embed.weight().tensor().toFloatArray()).as("nothing copied on error").containsOnly(0f);
        Module.LoadResult r = m.loadStateDict(state, false);
        assertThat(r.missing()).containsExactly("layers.0.proj.bias");
        assertThat(r.unexpected()).containsExactly("layers.0.extra");
        assertThat(m.embed.weight().tensor().toFloatArray()).containsOnly(1f);
    }

    @Test
    void shapeMismatchIsAnErrorEvenWhenNotStrict() {
        Map<String, Tensor> state = fullState();
        state.put("layers.0.proj.weight", Tensor.zeros(DType.F32, 3, 4));
        assertThatThrownBy(() -> new Tiny().loadStateDict(state, false))
                .hasMessageContaining("layers.0.proj.weight: expected [4, 3], got [3, 4]");
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Tiny m = new Tiny();
        assertThat(m.layers.get(0).dropout.isTraining()).isTrue();
        m.eval();
        assertThat(m.isTraining()).isFalse();
        assertThat(m.layers.get(0).dropout.isTraining()).isFalse();
        m.train();
        assertThat(m.layers.get(0).dropout.isTraining()).isTrue();
    }

    @Test
    void parametersOutliveTheScopeTheyWereCreatedIn() {
        Tiny m;
        try (var _ = Memory.scope()) {
            m = new Tiny();
            m.loadStateDict(fullState(), true);
        }
        try (var _ = Memory.scope()) {
            for (int i = 0; i < 8; i++) {
                Tensor.full(-9, DType.F32, 5, 3);
                Tensor.full(-9, DType.F32, 4, 3);
            }
            assertThat(m.embed.weight().tensor().toFloatArray()).containsOnly(1f);
            assertThat(m.namedParameters().get("layers.0.proj.weight").tensor().toFloatArray()).containsOnly(3f);
        }
    }

    @Test
    void parametersAreLeavesThatRequireGrad() {
        for (Parameter p : new Tiny().parameters()) {
            assertThat(p.tensor().requiresGrad()).isTrue();
            assertThat(p.tensor().isLeaf()).isTrue();
        }
    }

    @Test
    void registrationRejectsDottedAndDuplicateNames() {
        assertThatThrownBy(() -> new Module() {
            {
                registerParameter("a.b", Parameter.zeros(DType.F32, 1));
            }
        }).hasMessageContaining("'a.b'");
        assertThatThrownBy(() -> new Module() {
            {
                registerParameter("w", Parameter.zeros(DType.F32, 1));
                registerParameter("w", Parameter.zeros(DType.F32, 1));
            }
        }).hasMessageContaining("'w' is already registered");
    }
}
