package io.rlhf4j.engine.cuda;

/** The type of one kernel parameter, as a launch checks it and as the PTX declares it. */
public enum ParamType {
    /** A device pointer: a {@link DeviceBuffer}. */
    PTR("u64"),
    /** A device pointer that may be null (an optional output). */
    PTR_OR_NULL("u64"),
    /** A 32-bit int: an {@link Integer}. */
    I32("u32"),
    /** A 32-bit float: a {@link Float}. */
    F32("f32");

    private final String ptxType;

    ParamType(String ptxType) {
        this.ptxType = ptxType;
    }

    /** The type nvcc writes in the {@code .param} list of the entry. */
    public String ptxType() {
        return ptxType;
    }

    /** Whether {@code arg} can be passed for a parameter of this type. */
    boolean accepts(Object arg) {
        return switch (this) {
            case PTR -> arg instanceof DeviceBuffer;
            case PTR_OR_NULL -> arg == null || arg instanceof DeviceBuffer;
            case I32 -> arg instanceof Integer;
            case F32 -> arg instanceof Float;
        };
    }
}
