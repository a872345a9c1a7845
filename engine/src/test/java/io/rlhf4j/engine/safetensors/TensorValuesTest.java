package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Edge cases the fixtures do not reach; the fixtures check every dtype's values against torch. */
class TensorValuesTest {

    @Test
    void u64AboveTwoToThe63IsUnsigned() {
        MemorySegment maxU64 = MemorySegment.ofArray(new long[] {-1L});
        assertThat(TensorValues.toDoubles(DType.U64, maxU64)).containsExactly(0x1p64);
        assertThat(Long.toUnsignedString(TensorValues.toLongs(DType.U64, maxU64)[0])).isEqualTo("18446744073709551615");
    }

    @Test
    void toLongsRejectsFloatsAndRaggedBytes() {
        assertThatThrownBy(() -> TensorValues.toLongs(DType.F32, MemorySegment.ofArray(new byte[4])))
                .hasMessage("F32 is a float type; use toDoubles");
        assertThatThrownBy(() -> TensorValues.toDoubles(DType.I32, MemorySegment.ofArray(new byte[6])))
                .hasMessage("6 bytes is not a whole number of I32 elements");
    }
}
