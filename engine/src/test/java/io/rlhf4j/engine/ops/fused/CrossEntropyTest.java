package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static io.rlhf4j.engine.ops.fused.Fixtures.tensor;
import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Cross-entropy against torch.nn.functional.cross_entropy (fixtures) and finite differences. */
class CrossEntropyTest {

    @Test
    void matchesTorchForEveryReductionWithAndWithoutLabelSmoothing() {
        for (String reduction : new String[] {"mean", "sum", "none"}) {
            for (String smoothing : new String[] {"0.0", "0.1"}) {
                String name = reduction + "_" + smoothing;
                JsonNode c = Fixtures.load("cross_entropy.json", name);
                Tensor logits = tensor(c, "logits").requiresGrad(true);
                Tensor y = F.crossEntropy(logits, tensor(c, "targets"), -100,
                        Reduction.valueOf(reduction.toUpperCase(Locale.ROOT)), c.get("smoothing").asDouble());
                assertClose(y, tensor(c, "y"), 1e-5, 1e-6, name + " loss");
                y.backward(tensor(c, "g"));
                assertClose(logits.grad(), tensor(c, "dlogits"), 1e-5, 1e-6, name + " dlogits");
            }
        }
    }

    @Test
    void meanOverOnlyIgnoredTargetsIsNaNLikeTorch() {
        JsonNode c = Fixtures.load("cross_entropy.json", "all_ignored_mean");
        assertThat(tensor(c, "y").item()).isNaN();
        assertThat(F.crossEntropy(tensor(c, "logits"), tensor(c, "targets")).item()).isNaN();
    }

    @Test
    void gradientsWithIgnoredTargetsAndLabelSmoothing() {
        Tensor logits = randomInput(31, 5, 7);
        Tensor targets = Tensor.ofLongs(new long[] {2, -100, 6, 0, 3}, 5);
        for (Reduction r : Reduction.values()) {
            check(t -> F.crossEntropy(t[0], targets, -100, r, 0), logits);
            check(t -> F.crossEntropy(t[0], targets, -100, r, 0.2), logits);
        }
    }

    @Test
    void uniformLogitsGiveLogV() {
        Tensor logits = Tensor.zeros(DType.F32, 3, 10);
        Tensor loss = F.crossEntropy(logits, Tensor.ofLongs(new long[] {1, 2, 3}, 3));
        assertThat(loss.item()).isCloseTo(Math.log(10), within(1e-6));
    }

    @Test
    void bf16LogitsAreReadDirectly() {
        Tensor logits = randomInput(32, 4, 9).detach().to(DType.F32);
        Tensor targets = Tensor.ofLongs(new long[] {0, 8, 4, -100}, 4);
        Tensor viaF32 = F.crossEntropy(logits.to(DType.BF16).to(DType.F32), targets);
        Tensor direct = F.crossEntropy(logits.to(DType.BF16), targets);
        assertThat(direct.dtype()).isEqualTo(DType.F32);
        assertThat(direct.item()).isCloseTo(viaF32.item(), within(1e-6));
    }

    @Test
    void targetOutOfRangeNamesTheTargetAndClassCount() {
        assertThatThrownBy(() -> F.crossEntropy(Tensor.zeros(DType.F32, 2, 4), Tensor.ofLongs(new long[] {1, 4}, 2)))
                .hasMessageContaining("target 4 at row 1 is out of range for 4 classes");
    }
}
