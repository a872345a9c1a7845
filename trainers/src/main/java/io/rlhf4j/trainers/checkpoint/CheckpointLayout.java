package io.rlhf4j.trainers.checkpoint;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names inside an output folder, after transformers' Trainer where one exists:
 * <pre>
 *   checkpoint-&lt;step&gt;/                 a complete checkpoint
 *     model.safetensors                  "model" (sharded: model-0000i-of-0000n + index), HF layout
 *     &lt;name&gt;/model.safetensors           any other model, e.g. value_model/
 *     optimizer.safetensors + .json      "optimizer": state tensors, and scalars (step, lr, ...)
 *     &lt;name&gt;.safetensors + .json         any other optimizer
 *     scheduler.json                     {optimizer name: scheduler state}
 *     rng_state.json                     {generator name: {key, stream, counter}}
 *     trainer_state.json                 stage, global_step, epoch, data position, scaler, contents
 *     training_config.yaml               the stage config
 *     checkpoint.complete                written last: the folder is whole
 *   .checkpoint-&lt;step&gt;.tmp/            a checkpoint being written (ignored, removed on next save)
 * </pre>
 */
final class CheckpointLayout {

    static final String PREFIX = "checkpoint-";
    static final String COMPLETE = "checkpoint.complete";
    static final String TRAINER_STATE = "trainer_state.json";
    static final String SCHEDULER = "scheduler.json";
    static final String RNG_STATE = "rng_state.json";
    static final String CONFIG = "training_config.yaml";

    private static final Pattern FINAL = Pattern.compile("checkpoint-(\\d+)");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private CheckpointLayout() {
    }

    static String finalName(long step) {
        return PREFIX + step;
    }

    static String tempName(long step) {
        return "." + PREFIX + step + ".tmp";
    }

    static String oldName(long step) {
        return "." + PREFIX + step + ".old";
    }

    static boolean isScratch(String name) {
        return name.startsWith("." + PREFIX) && (name.endsWith(".tmp") || name.endsWith(".old"));
    }

    /** The step of a {@code checkpoint-<step>} folder name. */
    static OptionalLong step(Path dir) {
        Matcher m = FINAL.matcher(dir.getFileName().toString());
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    static Path modelDir(Path checkpoint, String name) {
        return name.equals(Checkpoint.MODEL) ? checkpoint : checkpoint.resolve(name);
    }

    static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("checkpoint component names are lower_snake_case, got '" + name + "'");
        }
    }
}
