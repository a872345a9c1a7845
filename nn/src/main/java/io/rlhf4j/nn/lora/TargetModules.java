package io.rlhf4j.nn.lora;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which modules LoRA wraps, with PEFT's matching rules (peft.tuners.tuners_utils
 * check_target_module_exists): a list of names matches a module whose dotted name equals an entry
 * or ends with "." + entry; a single string is a regular expression that must match the whole
 * name; the string "all-linear" (any case) means every Linear/Conv1D except the output layer.
 *
 * @param names   the list form, or null
 * @param pattern the string form (a regex or "all-linear"), or null
 */
public record TargetModules(List<String> names, String pattern) {

    /** PEFT's shorthand for every linear layer but the output layer. */
    public static final String ALL_LINEAR = "all-linear";

    /** PEFT's defaults when target_modules is not given (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING). */
    private static final Map<String, List<String>> DEFAULTS = Map.of(
            "llama", List.of("q_proj", "v_proj"),
            "mistral", List.of("q_proj", "v_proj"),
            "qwen2", List.of("q_proj", "v_proj"),
            "qwen3", List.of("q_proj", "v_proj"),
            "gpt2", List.of("c_attn"));

    public TargetModules {
        if ((names == null) == (pattern == null)) {
            throw new IllegalArgumentException("target_modules is either a list of names or one pattern string");
        }
        if (names != null) {
            names = List.copyOf(names);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("target_modules must name at least one module");
            }
        }
    }

    /** Module names or name suffixes, e.g. {@code of("q_proj", "v_proj")}. */
    public static TargetModules of(String... names) {
        return new TargetModules(List.of(names), null);
    }

    public static TargetModules of(List<String> names) {
        return new TargetModules(names, null);
    }

    /** A regular expression over full module names, or "all-linear". */
    public static TargetModules pattern(String pattern) {
        return new TargetModules(null, Objects.requireNonNull(pattern, "pattern"));
    }

    public static TargetModules allLinear() {
        return pattern(ALL_LINEAR);
    }

    /** PEFT's default for {@code modelType}, or an error naming the model type. */
    public static TargetModules defaultFor(String modelType) {
        List<String> names = DEFAULTS.get(modelType);
        if (names == null) {
            throw new IllegalArgumentException("no default LoRA target_modules for model_type " + modelType
                    + "; set target_modules (e.g. [\"q_proj\", \"v_proj\"] or \"all-linear\")");
        }
        return of(names);
    }

    public boolean isAllLinear() {
        return pattern != null && pattern.equalsIgnoreCase(ALL_LINEAR);
    }

    /** Whether the module named {@code moduleName} (dotted path) is targeted; not for "all-linear". */
    public boolean matches(String moduleName) {
        if (isAllLinear()) {
            throw new IllegalStateException("\"all-linear\" is resolved against a model, not matched by name");
        }
        if (pattern != null) {
            return Pattern.compile(pattern).matcher(moduleName).matches();
        }
        return names.stream().anyMatch(n -> moduleName.equals(n) || moduleName.endsWith("." + n));
    }
}
