package io.rlhf4j.trainers.prm;

import io.rlhf4j.engine.F;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Step accuracy as TRL's compute_accuracy for token classification (trl 1.13,
 * experimental/prm/prm_trainer.py): argmax over the labels (the first on ties, as numpy) compared
 * with the label at every position whose label is not −100, pooled over all such positions.
 */
final class PRMMetrics {

    private long correct;
    private long steps;

    /** Adds a batch: {@code logits} [B·T·L] flattened, {@code labels} [B·T]. */
    void add(double[] logits, long[] labels, int numLabels) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == F.IGNORE_INDEX) {
                continue;
            }
            int best = 0;
            for (int l = 1; l < numLabels; l++) {
                if (logits[i * numLabels + l] > logits[i * numLabels + best]) {
                    best = l;
                }
            }
            correct += best == labels[i] ? 1 : 0;
            steps++;
        }
    }

    long steps() {
        return steps;
    }

    /** {prefix}accuracy since the last drain (empty without any labelled step). */
    Map<String, Double> drain(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (steps > 0) {
            m.put(prefix + "accuracy", (double) correct / steps);
        }
        correct = 0;
        steps = 0;
        return m;
    }
}
