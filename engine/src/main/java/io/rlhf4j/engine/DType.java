package io.rlhf4j.engine;

import java.util.Locale;

/**
 * Element types a {@link Tensor} can hold. Compute kernels work in F32 (and F64 for gradient
 * checks); the other types are storage formats that ops convert from, plus integer types for ids,
 * masks and indices. Every safetensors dtype is listed so any checkpoint can be read.
 */
public enum DType {
    F64(8, true, "F64"),
    F32(4, true, "F32"),
    BF16(2, true, "BF16"),
    F16(2, true, "F16"),
    F8_E4M3(1, true, "F8_E4M3"),
    F8_E5M2(1, true, "F8_E5M2"),
    I64(8, false, "I64"),
    I32(4, false, "I32"),
    I16(2, false, "I16"),
    I8(1, false, "I8"),
    U64(8, false, "U64"),
    U32(4, false, "U32"),
    U16(2, false, "U16"),
    U8(1, false, "U8"),
    BOOL(1, false, "BOOL");

    private final int byteSize;
    private final boolean floatingPoint;
    private final String safetensorsName;

    DType(int byteSize, boolean floatingPoint, String safetensorsName) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The dtype's name in a safetensors header ("F32", "BF16", ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Parses a safetensors dtype name; throws with the list of valid names when unknown. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of "
                + java.util.Arrays.toString(values()).toUpperCase(Locale.ROOT));
    }
}
