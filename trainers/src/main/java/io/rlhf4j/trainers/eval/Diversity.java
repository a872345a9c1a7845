package io.rlhf4j.trainers.eval;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Diversity statistics of sampled completions, on token ids.
 * <ul>
 *   <li>distinct-n (Li et al. 2016, "A Diversity-Promoting Objective Function for Neural
 *       Conversation Models"): unique n-grams / total n-grams over all completions together.</li>
 *   <li>edit-distance ratio: Levenshtein distance(a, b) / max(|a|, |b|) (0 for two empty
 *       completions), averaged over every unordered pair of one prompt's samples, then over the
 *       prompts that have at least two samples: 0 when a prompt's samples are identical, 1 when
 *       they share no aligned token.</li>
 * </ul>
 */
public final class Diversity {

    private Diversity() {
    }

    /** Unique n-grams / total n-grams over all completions; 0 when no completion has n tokens. */
    public static double distinctN(List<long[]> completions, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        Set<NGram> unique = new HashSet<>();
        long total = 0;
        for (long[] c : completions) {
            for (int i = 0; i + n <= c.length; i++) {
                unique.add(new NGram(Arrays.copyOfRange(c, i, i + n)));
                total++;
            }
        }
        return total == 0 ? 0.0 : (double) unique.size() / total;
    }

    /** The mean over prompts (groups of at least two samples) of the mean pairwise edit-distance ratio. */
    public static double meanPairwiseEditRatio(List<List<long[]>> samplesPerPrompt) {
        double sum = 0;
        int prompts = 0;
        for (List<long[]> group : samplesPerPrompt) {
            if (group.size() < 2) {
                continue;
            }
            double g = 0;
            int pairs = 0;
            for (int i = 0; i < group.size(); i++) {
                for (int j = i + 1; j < group.size(); j++) {
                    g += editRatio(group.get(i), group.get(j));
                    pairs++;
                }
            }
            sum += g / pairs;
            prompts++;
        }
        return prompts == 0 ? 0.0 : sum / prompts;
    }

    /** Levenshtein distance / max length; 0 when both are empty. */
    public static double editRatio(long[] a, long[] b) {
        int longest = Math.max(a.length, b.length);
        return longest == 0 ? 0.0 : (double) editDistance(a, b) / longest;
    }

    /** Levenshtein distance over tokens (insertion, deletion, substitution each cost 1). */
    public static int editDistance(long[] a, long[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }

    /** The mean token count of the completions (0 for none). */
    public static double meanLength(List<long[]> completions) {
        long total = 0;
        for (long[] c : completions) {
            total += c.length;
        }
        return completions.isEmpty() ? 0.0 : (double) total / completions.size();
    }

    private record NGram(long[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof NGram g && Arrays.equals(ids, g.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }
    }
}
