package io.rlhf4j.trainers.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The evaluator's metric groups, the names each writes and the config keys it needs. The KL
 * headline {@code kl} is the exact per-token KL(policy ‖ reference) averaged over completion
 * tokens; the sampled-token estimators are reported beside it for comparison with training logs.
 */
public enum EvalMetrics {

    KL(List.of("kl", "kl_exact_token_mean", "kl_exact_seq_mean", "kl_k1_token_mean", "kl_k1_seq_mean",
            "kl_k3_token_mean", "kl_k3_seq_mean"),
            List.of(Input.of("model_name_or_path", c -> c.modelNameOrPath), Input.of("reference_model",
                    c -> c.referenceModel), Input.of("prompt_file", c -> c.promptFile))),
    DIVERSITY(List.of("distinct_1", "distinct_2", "edit_distance_ratio", "mean_completion_length"),
            List.of(Input.of("model_name_or_path", c -> c.modelNameOrPath), Input.of("prompt_file",
                    c -> c.promptFile))),
    REWARD_ACCURACY(List.of("reward_accuracy", "reward_margin"),
            List.of(Input.of("reward_model", c -> c.rewardModel), Input.of("preference_file",
                    c -> c.preferenceFile))),
    WIN_RATE(List.of("win_rate", "win_rate_ci_low", "win_rate_ci_high", "reward_policy_mean",
            "reward_baseline_mean"),
            List.of(Input.of("model_name_or_path", c -> c.modelNameOrPath), Input.of("baseline_model",
                    c -> c.baselineModel), Input.of("reward_model", c -> c.rewardModel), Input.of("prompt_file",
                    c -> c.promptFile)));

    /** A config key a group needs. */
    record Input(String key, Function<EvalConfig, String> value) {
        static Input of(String key, Function<EvalConfig, String> value) {
            return new Input(key, value);
        }
    }

    private final List<String> names;
    private final List<Input> inputs;

    EvalMetrics(List<String> names, List<Input> inputs) {
        this.names = names;
        this.inputs = inputs;
    }

    public List<String> names() {
        return names;
    }

    /** The keys this group needs that {@code config} leaves unset (empty: the group runs). */
    public List<String> missingInputs(EvalConfig config) {
        List<String> missing = new ArrayList<>();
        for (Input in : inputs) {
            String v = in.value().apply(config);
            if (v == null || v.isBlank()) {
                missing.add(in.key());
            }
        }
        return missing;
    }

    public boolean enabled(EvalConfig config) {
        return missingInputs(config).isEmpty();
    }

    /** The group that writes {@code metric}. */
    public static EvalMetrics groupOf(String metric) {
        for (EvalMetrics g : values()) {
            if (g.names.contains(metric)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + metric + "'; known metrics are " + allNames());
    }

    public static List<String> allNames() {
        List<String> all = new ArrayList<>();
        for (EvalMetrics g : values()) {
            all.addAll(g.names);
        }
        return all;
    }
}
