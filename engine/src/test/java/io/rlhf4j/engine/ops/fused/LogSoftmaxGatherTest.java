package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static io.rlhf4j.engine.ops.fused.Fixtures.tensor;
import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.memory.Memory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** log_softmax + gather against torch (fixtures), a naive reference over a real vocabulary size, and finite differences. */
class LogSoftmaxGatherTest {

    private static final int QWEN_VOCAB = 151936;

    @Test
    void matchesTorchForF32AndBf16Logits() {
        for (String name : new String[] {"f32", "f32_multi_chunk", "bf16"}) {
            JsonNode c = Fixtures.load("log_softmax_gather.json", name);
            Tensor logits = tensor(c, "logits").requiresGrad(true);
            Tensor y = F.logSoftmaxGather(logits, tensor(c, "ids"));
            assertThat(y.dtype()).isEqualTo(DType.F32);
            assertClose(y, tensor(c, "y"), 1e-5, 1e-6, name + " log-probs");
            y.backward(tensor(c, "g"));
            assertThat(logits.grad().dtype()).isEqualTo(logits.dtype());
            // BF16 gradients are rounded once from F32: one BF16 step (2⁻⁸ relative)
            double rtol = logits.dtype() == DType.BF16 ? 1.0 / 128 : 1e-5;
            assertClose(logits.grad(), tensor(c, "dlogits"), rtol, 1e-6, name + " dlogits");
        }
    }

    @Test
    void gradients() {
        Tensor logits = randomInput(41, 2, 3, 6);
        Tensor ids = Tensor.ofLongs(new long[] {0, 5, 2, 2, 1, 4}, 2, 3);
        check(t -> F.logSoftmaxGather(t[0], ids), logits);
        // a sliced (non-contiguous rows) view is read in place
        check(t -> F.logSoftmaxGather(t[0].narrow(1, 0, 2), ids.narrow(1, 0, 2)), logits);
    }

    /** log softmax(x)[id] by the textbook two-pass formula in double. */
    private static double naive(float[] x, int row, int vocab, int id) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            max = Math.max(max, x[row * vocab + j]);
        }
        double sum = 0;
        for (int j = 0; j < vocab; j++) {
            sum += Math.exp(x[row * vocab + j] - max);
        }
        return x[row * vocab + id] - max - Math.log(sum);
    }

    @Test
    void largeVocabularyMatchesNaiveReferenceInF32AndBf16() {
        int rows = 3;
        Random r = new Random(42);
        float[] x = new float[rows * QWEN_VOCAB];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        x[QWEN_VOCAB + 151000] = 40; // a dominant logit late in the row exercises the online rescaling
        long[] ids = {7, 151000, QWEN_VOCAB - 1};
        Tensor logits = Tensor.of(x, rows, QWEN_VOCAB);
        Tensor idT = Tensor.ofLongs(ids, rows);
        float[] y = F.logSoftmaxGather(logits, idT).toFloatArray();
        for (int i = 0; i < rows; i++) {
            double expected = naive(x, i, QWEN_VOCAB, (int) ids[i]);
            assertThat((double) y[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(expected))));
        }
        Tensor bf16 = logits.to(DType.BF16);
        float[] rounded = bf16.toFloatArray();
        float[] yb = F.logSoftmaxGather(bf16, idT).toFloatArray();
        for (int i = 0; i < rows; i++) {
            double expected = naive(rounded, i, QWEN_VOCAB, (int) ids[i]);
            assertThat((double) yb[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(expected))));
        }
    }

    @Test
    void largeVocabularyGradientIsOneHotMinusSoftmax() {
        Random r = new Random(43);
        float[] x = new float[QWEN_VOCAB];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 2);
        }
        Tensor logits = Tensor.of(x, 1, QWEN_VOCAB).to(DType.BF16).requiresGrad(true);
        int id = 123456;
        F.logSoftmaxGather(logits, Tensor.ofLongs(new long[] {id}, 1)).sum().backward();
        float[] rounded = logits.detach().toFloatArray();
        double lse = -naive(rounded, 0, QWEN_VOCAB, 0) + rounded[0];
        float[] g = logits.grad().toFloatArray();
        assertThat(logits.grad().dtype()).isEqualTo(DType.BF16);
        for (int j : new int[] {0, 1, 77777, id, QWEN_VOCAB - 1}) {
            double expected = (j == id ? 1 : 0) - Math.exp(rounded[j] - lse);
            assertThat((double) g[j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(Math.abs(expected) / 128 + 1e-12));
        }
    }

    @Test
    void forwardTakesNoVocabularySizedTemporaryEvenForBf16() {
        int rows = 8;
        int vocab = 50000;
        Tensor ids = Tensor.ofLongs(new long[rows], rows);
        for (DType type : new DType[] {DType.F32, DType.BF16}) {
            Tensor logits = Tensor.zeros(DType.F32, rows, vocab).to(type).requiresGrad(true);
            long before = Memory.pool().stats().bytesInUse();
            try (var s = Memory.scope()) {
                Tensor y = F.logSoftmaxGather(logits, ids);
                long extra = Memory.pool().stats().bytesInUse() - before;
                // output and saved log-sum-exp: O(rows); one row of F32 logits would already be 200 kB
                assertThat(extra).isLessThanOrEqualTo(1024);
                assertThat(y.get(0)).isCloseTo(-Math.log(vocab), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void idOutOfRangeNamesTheIdAndVocabularySize() {
        Tensor logits = Tensor.zeros(DType.F32, 2, 10);
        assertThatThrownBy(() -> F.logSoftmaxGather(logits, Tensor.ofLongs(new long[] {3, 10}, 2)))
                .hasMessageContaining("id 10").hasMessageContaining("V = 10");
        assertThatThrownBy(() -> F.logSoftmaxGather(logits, Tensor.ofLongs(new long[] {-1, 0}, 2)))
                .hasMessageContaining("id -1");
        assertThatThrownBy(() -> F.logSoftmaxGather(logits, Tensor.ofLongs(new long[] {1, 2, 3}, 3)))
                .hasMessageContaining("ids must be an integer tensor of shape [2]");
    }
}
