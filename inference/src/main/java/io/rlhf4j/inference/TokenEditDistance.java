package io.rlhf4j.inference;

/** Levenshtein distance between token sequences (insertions, deletions, substitutions of one token cost 1). */
public final class TokenEditDistance {

    private TokenEditDistance() {
    }

    public static int distance(long[] a, long[] b) {
        int[] previous = new int[b.length + 1];
        int[] current = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            current[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length];
    }

    /** distance / max(|a|, |b|), in [0, 1]; 0 for two empty sequences. */
    public static double normalized(long[] a, long[] b) {
        int longest = Math.max(a.length, b.length);
        return longest == 0 ? 0 : (double) distance(a, b) / longest;
    }
}
