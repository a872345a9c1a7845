package io.rlhf4j.trainers.grpo;

import java.util.List;
import java.util.Map;

/**
 * Scores a completion of a prompt (the specification's {@code reward_fn(prompt, completion)}).
 * Functions that need the record's other columns (a reference answer) override
 * {@link #score(String, String, Map)}, as TRL hands dataset columns to its reward functions; a
 * model-backed reward overrides {@link #scoreBatch} to score the whole generation batch at once.
 */
@FunctionalInterface
public interface RewardFunction {

    double score(String prompt, String completion);

    /** With the prompt record's other string columns. */
    default double score(String prompt, String completion, Map<String, String> columns) {
        return score(prompt, completion);
    }

    /** One reward per completion of the generation batch (the lists are parallel). */
    default double[] scoreBatch(List<String> prompts, List<String> completions, List<Map<String, String>> columns) {
        double[] out = new double[completions.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(prompts.get(i), completions.get(i), columns.get(i));
        }
        return out;
    }

    /** The name metrics use: rewards/&lt;name&gt;/mean. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** A named function. */
    static RewardFunction named(String name, RewardFunction f) {
        return new RewardFunction() {
            @Override
            public double score(String prompt, String completion) {
                return f.score(prompt, completion);
            }

            @Override
            public double score(String prompt, String completion, Map<String, String> columns) {
                return f.score(prompt, completion, columns);
            }

            @Override
            public double[] scoreBatch(List<String> prompts, List<String> completions,
                    List<Map<String, String>> columns) {
                return f.scoreBatch(prompts, completions, columns);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
