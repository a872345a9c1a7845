package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes single elements of any dtype as double. This is the slow, general path that
 * generic kernels and conversions use; hot kernels read F32 with vector loads instead.
 */
public final class TypedAccess {

    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    public static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    public static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private TypedAccess() {
    }

    /** The element at {@code index} (in elements, not bytes). */
    public static double get(MemorySegment s, DType t, long index) {
        return switch (t) {
            case F32 -> s.getAtIndex(F32, index);
            case F64 -> s.getAtIndex(F64, index);
            case BF16 -> bf16ToFloat(s.getAtIndex(I16, index));
            case F16 -> Float.float16ToFloat(s.getAtIndex(I16, index));
            case F8_E4M3 -> f8e4m3ToFloat(s.get(ValueLayout.JAVA_BYTE, index));
            case F8_E5M2 -> f8e5m2ToFloat(s.get(ValueLayout.JAVA_BYTE, index));
            case I64 -> s.getAtIndex(I64, index);
            case U64 -> unsignedLongToDouble(s.getAtIndex(I64, index));
            case I32 -> s.getAtIndex(I32, index);
            case U32 -> Integer.toUnsignedLong(s.getAtIndex(I32, index));
            case I16 -> s.getAtIndex(I16, index);
            case U16 -> Short.toUnsignedInt(s.getAtIndex(I16, index));
            case I8 -> s.get(ValueLayout.JAVA_BYTE, index);
            case U8 -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, index));
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, index) != 0 ? 1 : 0;
        };
    }

    /** Reads an integer element exactly (no rounding through double for 64-bit ids). */
    public static long getLong(MemorySegment s, DType t, long index) {
        return switch (t) {
            case I64, U64 -> s.getAtIndex(I64, index);
            case I32 -> s.getAtIndex(I32, index);
            default -> (long) get(s, t, index);
        };
    }

    /** Writes {@code v} converted to {@code t} (round to nearest even for BF16, saturating ints). */
    public static void set(MemorySegment s, DType t, long index, double v) {
        switch (t) {
            case F32 -> s.setAtIndex(F32, index, (float) v);
            case F64 -> s.setAtIndex(F64, index, v);
            case BF16 -> s.setAtIndex(I16, index, floatToBf16((float) v));
            case F16 -> s.setAtIndex(I16, index, Float.floatToFloat16((float) v));
            case I64, U64 -> s.setAtIndex(I64, index, (long) v);
            case I32, U32 -> s.setAtIndex(I32, index, (int) (long) v);
            case I16, U16 -> s.setAtIndex(I16, index, (short) (long) v);
            case I8, U8 -> s.set(ValueLayout.JAVA_BYTE, index, (byte) (long) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, index, (byte) (v != 0 ? 1 : 0));
            case F8_E4M3, F8_E5M2 -> throw new UnsupportedOperationException(
                    "writing " + t + " is not supported; convert to BF16 or F32");
        }
    }

    /** Writes an integer element exactly. */
    public static void setLong(MemorySegment s, DType t, long index, long v) {
        switch (t) {
            case I64, U64 -> s.setAtIndex(I64, index, v);
            case I32, U32 -> s.setAtIndex(I32, index, (int) v);
            default -> set(s, t, index, v);
        }
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Rounds to the nearest bfloat16, ties to even, NaN kept quiet (what torch does). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** OCP FP8 E4M3 (fn variant: no infinities, S.1111.111 is NaN), bias 7. */
    public static float f8e4m3ToFloat(byte b) {
        int sign = (b >>> 7) & 1;
        int exp = (b >>> 3) & 0xf;
        int man = b & 0x7;
        float v;
        if (exp == 0xf && man == 0x7) {
            v = Float.NaN;
        } else if (exp == 0) {
            v = man / 8f * (float) Math.pow(2, -6);
        } else {
            v = (1 + man / 8f) * (float) Math.pow(2, exp - 7);
        }
        return sign == 1 ? -v : v;
    }

    /** FP8 E5M2 (IEEE-like, bias 15): the upper byte of an F16. */
    public static float f8e5m2ToFloat(byte b) {
        return Float.float16ToFloat((short) ((b & 0xff) << 8));
    }

    private static double unsignedLongToDouble(long v) {
        double d = (double) (v & Long.MAX_VALUE);
        return v < 0 ? d + 0x1p63 : d;
    }
}
