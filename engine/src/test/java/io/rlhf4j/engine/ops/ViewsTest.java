package io.rlhf4j.engine.ops;

import static io.rlhf4j.engine.testing.GradCheck.check;
import static io.rlhf4j.engine.testing.GradCheck.randomInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class ViewsTest {

    private final Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);

    @Test
    void viewsShareStorage() {
        Tensor t = x.transpose(0, 1);
        assertThat(t.shape()).containsExactly(3, 2);
        assertThat(t.isContiguous()).isFalse();
        assertThat(t.toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(t.segment()).isSameAs(x.segment());
        assertThat(x.narrow(1, 1, 2).toFloatArray()).containsExactly(1, 2, 4, 5);
        assertThat(x.reshape(3, -1).shape()).containsExactly(3, 2);
        assertThat(x.unsqueeze(0).shape()).containsExactly(1, 2, 3);
        assertThat(x.unsqueeze(-1).squeeze(-1).shape()).containsExactly(2, 3);
        assertThat(x.narrow(0, 1, 1).expand(4, 3).toFloatArray()).containsExactly(3, 4, 5, 3, 4, 5, 3, 4, 5, 3, 4, 5);
        assertThat(x.permute(1, 0).contiguous().isContiguous()).isTrue();
    }

    @Test
    void viewOfNonContiguousFailsButReshapeCopies() {
        Tensor t = x.mT();
        assertThatThrownBy(() -> t.view(6)).hasMessageContaining("reshape()");
        assertThat(t.reshape(6).toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
    }

    @Test
    void copyFromWritesThroughAStridedView() {
        Tensor z = Tensor.zeros(DType.F32, 2, 3);
        z.narrow(1, 0, 2).copyFrom(Tensor.of(new float[] {7, 8}, 2));
        assertThat(z.toFloatArray()).containsExactly(7, 8, 0, 7, 8, 0);
    }

    @Test
    void gradients() {
        Tensor a = randomInput(5, 2, 3, 4);
        check(t -> t[0].transpose(0, 2).reshape(4, 6), a);
        check(t -> t[0].permute(2, 0, 1).narrow(0, 1, 2), a);
        check(t -> t[0].narrow(1, 0, 1).expand(2, 5, 4), a);
        check(t -> t[0].unsqueeze(1).squeeze(1).view(24), a);
        check(t -> t[0].mT().contiguous(), a);
    }
}
