package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.ops.TypedAccess;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes a tensor's little-endian bytes into Java arrays, for tests, inspection and small
 * tensors, without building a {@code Tensor}. Every float dtype widens exactly into a double
 * (F32, F16, BF16 and both FP8 formats are subsets of F64); integers that need all 64 bits go
 * through {@link #toLongs}. The BF16 and FP8 bit formats are decoded by the engine's own
 * {@link TypedAccess}, so the fixtures check the engine's decoders against torch.
 */
public final class TensorValues {

    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorValues() {
    }

    public static double[] toDoubles(TensorEntry entry) {
        return toDoubles(entry.dtype(), entry.data());
    }

    /**
     * Every element as a double. U64 values of 2^63 and above come out as their unsigned value
     * (rounded to the nearest double, like any integer above 2^53).
     */
    public static double[] toDoubles(DType dtype, MemorySegment data) {
        double[] out = new double[elementCount(dtype, data)];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case F64 -> data.getAtIndex(F64, i);
                case F32 -> data.getAtIndex(F32, i);
                case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
                case BF16 -> TypedAccess.bf16ToFloat(data.getAtIndex(I16, i));
                case F8_E4M3 -> TypedAccess.f8e4m3ToFloat(data.get(ValueLayout.JAVA_BYTE, i));
                case F8_E5M2 -> TypedAccess.f8e5m2ToFloat(data.get(ValueLayout.JAVA_BYTE, i));
                case U64 -> unsignedToDouble(data.getAtIndex(I64, i));
                default -> integerAt(dtype, data, i);
            };
        }
        return out;
    }

    public static long[] toLongs(TensorEntry entry) {
        return toLongs(entry.dtype(), entry.data());
    }

    /**
     * Every element of an integer or BOOL tensor as a long, sign- or zero-extended by dtype. U64
     * is returned as its raw 64 bits: read it with {@link Long#toUnsignedString(long)} or
     * {@link Long#compareUnsigned}. BOOL gives 0 or 1 for the byte values 0 and 1 and the raw
     * byte otherwise, so a malformed bool is visible rather than silently true.
     */
    public static long[] toLongs(DType dtype, MemorySegment data) {
        if (dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(dtype + " is a float type; use toDoubles");
        }
        long[] out = new long[elementCount(dtype, data)];
        for (int i = 0; i < out.length; i++) {
            out[i] = integerAt(dtype, data, i);
        }
        return out;
    }

    private static long integerAt(DType dtype, MemorySegment data, long i) {
        return switch (dtype) {
            case I64, U64 -> data.getAtIndex(I64, i);
            case I32 -> data.getAtIndex(I32, i);
            case U32 -> Integer.toUnsignedLong(data.getAtIndex(I32, i));
            case I16 -> data.getAtIndex(I16, i);
            case U16 -> Short.toUnsignedInt(data.getAtIndex(I16, i));
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
            default -> throw new IllegalArgumentException(dtype + " is not an integer type");
        };
    }

    private static int elementCount(DType dtype, MemorySegment data) {
        long count = data.byteSize() / dtype.byteSize();
        if (count * dtype.byteSize() != data.byteSize()) {
            throw new IllegalArgumentException(data.byteSize() + " bytes is not a whole number of " + dtype + " elements");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(count + " elements do not fit in a Java array");
        }
        return (int) count;
    }

    private static double unsignedToDouble(long bits) {
        return bits >= 0 ? bits : (double) (bits >>> 1 | (bits & 1)) * 2.0;
    }
}
