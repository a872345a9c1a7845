package io.rlhf4j.trainers.eval;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Grad;
import io.rlhf4j.engine.memory.Memory;
import io.rlhf4j.nn.models.CausalLM;
import java.util.List;
import java.util.Map;

/**
 * KL(policy ‖ reference) on completions the policy sampled: both models read the same
 * prompt + completion rows (evaluation mode, no autograd) and {@link KlAccumulator} compares their
 * logits at the positions that predict completion tokens (position t predicts token t + 1).
 */
public final class KlEvaluation {

    private KlEvaluation() {
    }

    public static Map<String, Double> evaluate(CausalLM policy, CausalLM reference, List<Completion> completions,
            long padId, int batchSize) {
        if (policy.config().vocabSize() != reference.config().vocabSize()) {
            throw new IllegalArgumentException("policy and reference_model have different vocabularies ("
                    + policy.config().vocabSize() + " and " + reference.config().vocabSize() + " tokens)");
        }
        KlAccumulator kl = new KlAccumulator();
        for (int from = 0; from < completions.size(); from += batchSize) {
            List<Completion> part = completions.subList(from, Math.min(completions.size(), from + batchSize));
            try (var _ = Memory.scope()) {
                CompletionRows rows = CompletionRows.of(part, padId);
                float[] p = logits(policy, rows);
                float[] q = logits(reference, rows);
                int vocab = policy.config().vocabSize();
                for (int b = 0; b < part.size(); b++) {
                    long[] ids = part.get(b).ids();
                    int[] at = new int[ids.length];
                    for (int j = 0; j < ids.length; j++) {
                        at[j] = b * rows.width() + rows.completionStart()[b] + j - 1;
                    }
                    kl.addSequence(p, q, vocab, at, ids);
                }
            }
        }
        return kl.metrics();
    }

    /** Logits [B, T, V] as F32, row-major. */
    static float[] logits(CausalLM model, CompletionRows rows) {
        boolean training = model.module().isTraining();
        model.module().eval();
        try (var _ = Grad.disabled()) {
            Tensor logits = model.forward(rows.ids(), rows.mask(), null);
            return (logits.dtype() == DType.F32 ? logits : logits.to(DType.F32)).toFloatArray();
        } finally {
            model.module().train(training);
        }
    }
}
