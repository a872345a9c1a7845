package io.rlhf4j.trainers.grpo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in reward functions, by the names a config's reward_funcs lists:
 * <ul>
 *   <li>{@code exact_match} or {@code exact_match:<column>}: 1 when the completion's answer equals
 *       the record's {@code answer} (or the named) column, else 0. A numeric reference is compared
 *       with the last number in the completion; other references with the trimmed completion or the
 *       text after its last "####".</li>
 *   <li>{@code format:<regex>}: 1 when the completion starts with a match of the regex (Python's
 *       re.match, which TRL's format rewards use; DOTALL), else 0.</li>
 *   <li>{@code length:<n>}: 1 − min(1, |characters − n| / n), highest for completions of n characters.</li>
 *   <li>{@code char_fraction:<chars>}: the fraction of the completion's characters that are among
 *       {@code chars} (0 for an empty completion).</li>
 * </ul>
 */
public final class RewardFunctions {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

    private RewardFunctions() {
    }

    public static List<RewardFunction> parse(List<String> specs) {
        List<RewardFunction> out = new ArrayList<>();
        for (String s : specs) {
            out.add(parse(s));
        }
        return out;
    }

    /**
     * Checks {@code specs} as {@link #parse(List)} reads them: the problem with the first bad one
     * (naming it), or null when all parse. Configs call it so a pipeline rejects a typo before any
     * stage trains.
     */
    public static String problem(List<String> specs) {
        for (String s : specs) {
            try {
                parse(s);
            } catch (IllegalArgumentException e) {
                return "'" + s + "': " + e.getMessage();
            }
        }
        return null;
    }

    /** One function from its spec; an unknown name is an error listing the known ones. */
    public static RewardFunction parse(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String arg = colon < 0 ? null : spec.substring(colon + 1);
        return switch (name) {
            case "exact_match" -> exactMatch(arg == null ? "answer" : arg);
            case "format" -> format(require(spec, arg));
            case "length" -> length(positive(spec, require(spec, arg)));
            case "char_fraction" -> charFraction(require(spec, arg));
            default -> throw new IllegalArgumentException("reward_funcs: unknown reward function '" + spec
                    + "'; built-in: exact_match[:column], format:<regex>, length:<n>, char_fraction:<chars>");
        };
    }

    public static RewardFunction exactMatch(String column) {
        return new RewardFunction() {
            @Override
            public double score(String prompt, String completion) {
                throw new IllegalStateException("exact_match needs the record's '" + column + "' column");
            }

            @Override
            public double score(String prompt, String completion, Map<String, String> columns) {
                String reference = columns.get(column);
                if (reference == null) {
                    throw new IllegalArgumentException("exact_match: the prompt record has no '" + column
                            + "' column (columns: " + columns.keySet() + ")");
                }
                return matches(completion, reference.trim()) ? 1 : 0;
            }

            @Override
            public String name() {
                return "exact_match";
            }
        };
    }

    static boolean matches(String completion, String reference) {
        if (NUMBER.matcher(reference).matches()) {
            String last = null;
            Matcher m = NUMBER.matcher(completion);
            while (m.find()) {
                last = m.group();
            }
            return last != null && Double.parseDouble(last) == Double.parseDouble(reference);
        }
        int marker = completion.lastIndexOf("####");
        String answer = marker < 0 ? completion : completion.substring(marker + 4);
        return answer.trim().equals(reference);
    }

    public static RewardFunction format(String regex) {
        Pattern p = Pattern.compile(regex, Pattern.DOTALL);
        return RewardFunction.named("format", (prompt, completion) -> p.matcher(completion).lookingAt() ? 1 : 0);
    }

    public static RewardFunction length(int target) {
        if (target <= 0) {
            throw new IllegalArgumentException("length:<n> needs n > 0, got " + target);
        }
        return RewardFunction.named("length",
                (prompt, completion) -> 1 - Math.min(1, Math.abs(completion.length() - target) / (double) target));
    }

    public static RewardFunction charFraction(String chars) {
        return RewardFunction.named("char_fraction", (prompt, completion) -> {
            if (completion.isEmpty()) {
                return 0;
            }
            long hits = completion.chars().filter(c -> chars.indexOf(c) >= 0).count();
            return (double) hits / completion.length();
        });
    }

    /** The positive integer argument of {@code spec}. */
    private static int positive(String spec, String arg) {
        int n;
        try {
            n = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(spec + ": the argument must be a whole number of characters, got '" + arg + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException(spec + ": the length must be at least 1, got " + n);
        }
        return n;
    }

    private static String require(String spec, String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("reward_funcs: '" + spec + "' needs an argument after ':'");
        }
        return arg;
    }
}
