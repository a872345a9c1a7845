package io.rlhf4j.trainers.logging;

import java.util.Locale;

/** Renders one progress line: {@code sft [=====>    ] 42/100 loss 1.2345 lr 2.00e-05 1.23k tok/s ETA 0:01:23}. */
public final class ProgressBar {

    static final int WIDTH = 24;

    private ProgressBar() {
    }

    public static String render(String stage, long step, long total, double loss, double lr, double tokensPerSecond,
            double etaSeconds) {
        StringBuilder s = new StringBuilder(stage).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * step / total);
            s.append('[').append("=".repeat(filled));
            if (filled < WIDTH) {
                s.append('>').append(" ".repeat(WIDTH - filled - 1));
            }
            s.append("] ").append(step).append('/').append(total);
        } else {
            s.append("step ").append(step);
        }
        if (!Double.isNaN(loss)) {
            s.append(String.format(Locale.ROOT, " loss %.4f", loss));
        }
        if (!Double.isNaN(lr)) {
            s.append(String.format(Locale.ROOT, " lr %.2e", lr));
        }
        if (Double.isFinite(tokensPerSecond)) {
            s.append(' ').append(humanCount(tokensPerSecond)).append(" tok/s");
        }
        if (Double.isFinite(etaSeconds)) {
            s.append(" ETA ").append(duration(etaSeconds));
        }
        return s.toString();
    }

    /** 950, 1.23k, 45.6M. */
    static String humanCount(double v) {
        if (v < 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v < 1e6) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }

    /** h:mm:ss. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
