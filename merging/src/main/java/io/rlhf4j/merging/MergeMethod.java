package io.rlhf4j.merging;

import java.util.Arrays;
import java.util.Locale;

/**
 * How {@link ModelMerger} combines task vectors (delta_i = model_i − base). The names are the
 * config spellings; the semantics are those of PEFT's {@code peft.utils.merge_utils} functions of
 * the same name ({@code dare} is PEFT's {@code dare_linear}), and mergekit's {@code slerp}.
 */
public enum MergeMethod {
    /** Σ w_i·delta_i (Ilharco et al. 2023). */
    TASK_ARITHMETIC("task_arithmetic"),
    /** Task arithmetic on deltas pruned to their top-density magnitudes. */
    MAGNITUDE_PRUNE("magnitude_prune"),
    /** Trim (top-density magnitudes), elect sign, disjoint mean (Yadav et al. 2023). */
    TIES("ties"),
    /** Random Bernoulli(density) drop, rescale by 1/density, then task arithmetic (Yu et al. 2024). */
    DARE("dare"),
    /** DARE's drop and rescale, then TIES' sign election and disjoint mean. */
    DARE_TIES("dare_ties"),
    /** Spherical interpolation between the base and exactly one model, per tensor (mergekit). */
    SLERP("slerp");

    private final String configName;

    MergeMethod(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Whether the method prunes deltas, and so reads {@code density}. */
    public boolean usesDensity() {
        return this == MAGNITUDE_PRUNE || this == TIES || this == DARE || this == DARE_TIES;
    }

    /** Whether the method elects a majority sign, and so reads {@code majority_sign_method}. */
    public boolean electsSign() {
        return this == TIES || this == DARE_TIES;
    }

    /** The method spelled {@code name} (case-insensitive; "dare_linear" is DARE). */
    public static MergeMethod parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("dare_linear")) {
            return DARE;
        }
        for (MergeMethod m : values()) {
            if (m.configName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown merge method '" + name + "'; expected one of "
                + Arrays.stream(values()).map(MergeMethod::configName).toList());
    }

    @Override
    public String toString() {
        return configName;
    }
}
