package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Spot checks with hand-computed values; the fixtures check every FP8 code against torch. */
class TensorValuesTest {

    @Test
    void fp8E4m3HasNoInfinityAndTopsOutAt448() {
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0x7E)).isEqualTo(448.0);
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0xFE)).isEqualTo(-448.0);
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0x7F)).isNaN();
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0x78)).isEqualTo(256.0);
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0x38)).isEqualTo(1.0);
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0x01)).isEqualTo(0x1p-9);
        assertThat(TensorValues.f8e4m3ToDouble((byte) 0x80)).isEqualTo(-0.0);
    }

    @Test
    void fp8E5m2IsTheTopByteOfAHalf() {
        assertThat(TensorValues.f8e5m2ToFloat((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(TensorValues.f8e5m2ToFloat((byte) 0x7B)).isEqualTo(57344f);
        assertThat(TensorValues.f8e5m2ToFloat((byte) 0x3C)).isEqualTo(1f);
        assertThat(TensorValues.f8e5m2ToFloat((byte) 0x01)).isEqualTo(0x1p-16f);
    }

    @Test
    void bf16IsTheTopHalfOfAFloat() {
        assertThat(TensorValues.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(TensorValues.bf16ToFloat((short) 0xC020)).isEqualTo(-2.5f);
    }

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
