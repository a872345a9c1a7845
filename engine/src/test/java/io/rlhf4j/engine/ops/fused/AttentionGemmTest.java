package io.rlhf4j.engine.ops.fused;

import static io.rlhf4j.engine.ops.fused.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.F;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.random.Generator;
import org.junit.jupiter.api.Test;

/**
 * The F32 GEMM forward and backward of attention against the F64 row-by-row kernels (FlashAttention's
 * online softmax and FlashAttentionBackward, checked against finite differences and torch), on the layout a transformer layer
 * produces: q, k, v as [B, T, H, D] projections transposed to [B, H, T, D] (strided views), grouped
 * query heads, causal, a padding mask and several query and key blocks.
 */
class AttentionGemmTest {

    private static final int B = 2;
    private static final int HQ = 6;
    private static final int HKV = 2;
    private static final int T = 70;
    private static final int D = 16;

    private static Tensor projection(long seed, int heads, DType type) {
        return Generator.seed(seed).normal(new int[] {B, T, heads, D}, 0, 1, DType.F64).to(type).transpose(1, 2);
    }

    private static Tensor layout(Tensor t, boolean contiguous) {
        return contiguous ? t.contiguous() : t;
    }

    private static Tensor[] gradients(DType type, Tensor mask, boolean causal) {
        return gradients(type, mask, causal, false);
    }

    /**
     * contiguous: q, k and the output gradient as contiguous [B, H, T, D] tensors (what rotary
     * embedding produces), whose group heads stack into one matrix; else strided transposed views.
     */
    private static Tensor[] gradients(DType type, Tensor mask, boolean causal, boolean contiguous) {
        Tensor q = layout(projection(1, HQ, type), contiguous).requiresGrad(true);
        Tensor k = layout(projection(2, HKV, type), contiguous).requiresGrad(true);
        Tensor v = projection(3, HKV, type).requiresGrad(true);
        Tensor g = Generator.seed(4).normal(new int[] {B, HQ, T, D}, 0, 1, DType.F64).to(type);
        F.scaledDotProductAttention(q, k, v, mask, causal).backward(contiguous ? g : g.transpose(1, 2).contiguous()
                .transpose(1, 2));
        return new Tensor[] {q.grad(), k.grad(), v.grad()};
    }

    @Test
    void matchesTheF64RowKernel() {
        long[] keep = new long[B * T];
        java.util.Arrays.fill(keep, 1);
        for (int j = 60; j < T; j++) {
            keep[T + j] = 0; // the second sequence is padded after 60 tokens
        }
        keep[T + 5] = 0;
        Tensor mask = Tensor.ofLongs(keep, B, T);
        for (boolean causal : new boolean[] {true, false}) {
            assertThat(AttentionBackwardGemm.fits(new AttentionGeometry(projection(1, HQ, DType.F32),
                    projection(2, HKV, DType.F32), projection(3, HKV, DType.F32), mask, causal, Double.NaN))).isTrue();
            Tensor[] reference = gradients(DType.F64, mask, causal);
            for (boolean contiguous : new boolean[] {true, false}) {
                Tensor[] fast = gradients(DType.F32, mask, causal, contiguous);
                String[] names = {"dq", "dk", "dv"};
                for (int i = 0; i < 3; i++) {
                    assertClose(fast[i], reference[i].to(DType.F32), 1e-4, 1e-5,
                            names[i] + " causal=" + causal + " contiguous=" + contiguous);
                }
            }
        }
    }

    @Test
    void forwardMatchesTheF64RowKernelIncludingAFullyMaskedQuery() {
        long[] keep = new long[B * T];
        java.util.Arrays.fill(keep, 1);
        keep[0] = 0; // causal: query 0 of the first sequence sees only key 0, which is masked
        Tensor mask = Tensor.ofLongs(keep, B, T);
        assertThat(AttentionForwardGemm.applies(new AttentionGeometry(projection(1, HQ, DType.F32),
                projection(2, HKV, DType.F32), projection(3, HKV, DType.F32), mask, true, Double.NaN))).isTrue();
        Tensor fast = F.scaledDotProductAttention(projection(1, HQ, DType.F32), projection(2, HKV, DType.F32),
                projection(3, HKV, DType.F32), mask, true);
        Tensor reference = F.scaledDotProductAttention(projection(1, HQ, DType.F64), projection(2, HKV, DType.F64),
                projection(3, HKV, DType.F64), mask, true);
        assertClose(fast, reference.to(DType.F32), 1e-5, 1e-6, "attention output");
        assertThat(fast.narrow(0, 0, 1).narrow(2, 0, 1).toDoubleArray()).containsOnly(0.0);
    }

    @Test
    void isBitwiseRepeatable() {
        Tensor[] first = gradients(DType.F32, null, true);
        Tensor[] second = gradients(DType.F32, null, true);
        for (int i = 0; i < 3; i++) {
            assertThat(second[i].toFloatArray()).containsExactly(first[i].toFloatArray());
        }
    }
}
