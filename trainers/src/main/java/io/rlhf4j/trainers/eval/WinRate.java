package io.rlhf4j.trainers.eval;

/**
 * Win rate of policy A over policy B from paired scores (the same prompt and sample index):
 * (wins + ½·ties) / n, with the Wilson score interval (Wilson 1927) at 95%:
 * <pre>
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
 * </pre>
 * with z = Φ⁻¹(0.975). Ties enter p̂ as half a win, as the usual pairwise win-rate reports do.
 *
 * @param rate (wins + ties/2) / n
 * @param low  the interval's lower end
 * @param high its upper end
 * @param n    the number of comparisons
 */
public record WinRate(double rate, double low, double high, int n) {

    /** Φ⁻¹(0.975). */
    public static final double Z95 = 1.959963984540054;

    /** Compares {@code a[i]} with {@code b[i]}: a win when a &gt; b, half when equal. */
    public static WinRate of(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("win rate needs paired scores of one length >= 1, got " + a.length
                    + " and " + b.length);
        }
        double wins = 0;
        for (int i = 0; i < a.length; i++) {
            wins += a[i] > b[i] ? 1.0 : a[i] == b[i] ? 0.5 : 0.0;
        }
        return ofCount(wins, a.length);
    }

    /** From {@code wins} (ties counted half) out of {@code n}. */
    public static WinRate ofCount(double wins, int n) {
        if (n < 1 || wins < 0 || wins > n) {
            throw new IllegalArgumentException("win rate needs 0 <= wins <= n and n >= 1, got wins " + wins + ", n " + n);
        }
        double p = wins / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new WinRate(p, Math.max(0, centre - half), Math.min(1, centre + half), n);
    }
}
