package io.rlhf4j.trainers.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stage of a pipeline as written in its YAML.
 *
 * @param name   unique within the pipeline; names the stage's folder and history entry
 * @param type   what the stage runs
 * @param config the stage's own config file (null: the stage config's defaults)
 * @param set    overrides in {@code --set} syntax (key → value), applied after the chaining defaults;
 *               values may use {@code ${policy}}, {@code ${rm}} and {@code ${stages.<name>.output_dir}}
 * @param onFail for an eval stage whose gate fails: {@code stop} (the default) or {@code rollback}
 */
public record StageSpec(String name, StageType type, String config, Map<String, String> set, String onFail) {

    public static final String STOP = "stop";
    public static final String ROLLBACK = "rollback";

    public StageSpec {
        set = new LinkedHashMap<>(set);
    }

    /** This stage with one more override (a later one for the same key wins). */
    public StageSpec with(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(set);
        more.remove(key);
        more.put(key, value);
        return new StageSpec(name, type, config, more, onFail);
    }
}
