package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class MatMulTest {

    @Test
    void matrixProductValues() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertThat(a.matmul(b).toFloatArray()).containsExactly(58, 64, 139, 154);
        assertThat(a.matmul(a.mT()).toFloatArray()).containsExactly(14, 32, 32, 77);
        assertThat(a.mT().matmul(a).shape()).containsExactly(3, 3);
        assertThat(a.matmul(Tensor.of(new float[] {1, 0, -1}, 3)).toFloatArray()).containsExactly(-2, -2);
    }

    @Test
    void batchedAndBroadcastProductsMatchLoopedProducts() {
        Tensor a = randomInput(1, 2, 3, 4, 5).detach();
        Tensor b = randomInput(2, 3, 5, 2).detach();
        Tensor c = a.matmul(b);
        assertThat(c.shape()).containsExactly(2, 3, 4, 2);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int r = 0; r < 4; r++) {
                    for (int q = 0; q < 2; q++) {
                        double expected = 0;
                        for (int p = 0; p < 5; p++) {
                            expected += a.get(i, j, r, p) * b.get(j, p, q);
                        }
                        assertThat(c.get(i, j, r, q)).isCloseTo(expected, within(1e-12));
                    }
                }
            }
        }
        assertThat(a.to(DType.F32).matmul(b.to(DType.F32)).dtype()).isEqualTo(DType.F32);
    }

    @Test
    void mismatchedInnerDimensionsNameBothShapes() {
        assertThatThrownBy(() -> Tensor.zeros(DType.F32, 2, 3).matmul(Tensor.zeros(DType.F32, 4, 2)))
                .hasMessageContaining("[2, 3] @ [4, 2]");
    }

    @Test
    void gradients() {
        check(t -> t[0].matmul(t[1]), randomInput(1, 3, 4), randomInput(2, 4, 2));
        check(t -> t[0].matmul(t[1].mT()), randomInput(3, 2, 3, 4), randomInput(4, 5, 4));
        check(t -> t[0].matmul(t[1]), randomInput(5, 2, 1, 3, 4), randomInput(6, 3, 4, 2));
        check(t -> t[0].mT().matmul(t[1]), randomInput(7, 4, 3), randomInput(8, 4));
        check(t -> t[0].matmul(t[1]), randomInput(9, 4), randomInput(10, 4));
    }
}
