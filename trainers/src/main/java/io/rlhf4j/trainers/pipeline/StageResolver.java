package io.rlhf4j.trainers.pipeline;

import io.rlhf4j.trainers.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a stage into the {@code --set} overrides of its run. Chaining rules, in order (a later
 * override of the same key wins):
 * <ol>
 *   <li>{@code output_dir} is {@code <pipeline output_dir>/<stage name>};</li>
 *   <li>{@code seed} is the pipeline's seed, when it sets one;</li>
 *   <li>a policy stage (sft, dpo, simpo, kto, grpo, ppo) and an eval stage take the current policy as
 *       {@code model_name_or_path}: the previous policy stage's output, or, after a rollback, the
 *       model that stage started from. Before any policy stage the stage config's own value stands.
 *       The chained value replaces the stage config file's, so the stand-alone example configs chain
 *       unchanged; to pin a model, name it in the stage's {@code set};</li>
 *   <li>the stage's {@code set} entries, where {@code ${policy}} is the current policy,
 *       {@code ${rm}} the newest rm stage's output and {@code ${stages.<name>.output_dir}} an
 *       earlier stage's output folder.</li>
 * </ol>
 */
public final class StageResolver {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern STAGE_OUTPUT = Pattern.compile("stages\\.([A-Za-z0-9_-]+)\\.output_dir");

    private StageResolver() {
    }

    public static List<String> overrides(PipelineConfig pipeline, StageSpec stage, PipelineState state) {
        List<String> out = new ArrayList<>();
        out.add("output_dir=" + Path.of(pipeline.outputDir(), stage.name()));
        if (pipeline.seed() != null) {
            out.add("seed=" + pipeline.seed());
        }
        if ((stage.type().isPolicy() || stage.type() == StageType.EVAL) && state.policy() != null) {
            out.add("model_name_or_path=" + state.policy());
        }
        for (Map.Entry<String, String> e : stage.set().entrySet()) {
            out.add(e.getKey() + "=" + substitute(e.getValue(), stage, e.getKey(), state));
        }
        return out;
    }

    private static String substitute(String value, StageSpec stage, String key, PipelineState state) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(lookup(m.group(1), stage, key, state)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String lookup(String name, StageSpec stage, String key, PipelineState state) {
        String at = "stage '" + stage.name() + "': set." + key + ": ${" + name + "}";
        if (name.equals("rm")) {
            if (state.rewardModel() == null) {
                throw new ConfigException(at + " names the reward model, but no rm stage runs before this one");
            }
            return state.rewardModel();
        }
        if (name.equals("policy")) {
            if (state.policy() == null) {
                throw new ConfigException(at + " names the current policy, but no policy stage runs before this one");
            }
            return state.policy();
        }
        Matcher s = STAGE_OUTPUT.matcher(name);
        if (s.matches()) {
            return state.outputOf(s.group(1)).orElseThrow(() -> new ConfigException(at + ": no stage '"
                    + s.group(1) + "' has finished before this one"));
        }
        throw new ConfigException(at + " is not a known reference; use ${policy}, ${rm} or ${stages.<name>.output_dir}");
    }
}
