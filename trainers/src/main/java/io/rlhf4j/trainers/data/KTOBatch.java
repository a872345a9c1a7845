package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * B unpaired examples as one right-padded batch, and, for the KL term, the B mismatched sequences
 * TRL 1.13 builds (kto_trainer.py, add_kl_completion_ids): completions rotated by one within the
 * batch, so row i pairs prompt x_i with completion y_{i−1} (row 0 with y_{B−1}); like TRL's collator
 * they are cut to max_length keeping their first tokens. The KL completions are therefore the
 * same set as the batch's own completions, paired with other prompts.
 *
 * @param inputIds        I64 [B, T]
 * @param attentionMask   I64 [B, T], 1 token, 0 padding
 * @param promptLengths   per row, the index of its first completion token (the same for the KL rows)
 * @param desirable       per row, its label
 * @param klInputIds      I64 [B, T'] the mismatched sequences, or null when the loss needs no KL
 * @param klAttentionMask I64 [B, T'], or null
 * @param tokens          real (unpadded) tokens of the matched rows, for throughput
 */
public record KTOBatch(Tensor inputIds, Tensor attentionMask, int[] promptLengths, boolean[] desirable,
        Tensor klInputIds, Tensor klAttentionMask, long tokens) {

    /**
     * Pads {@code examples} with {@code collator}.
     *
     * @param withKl    whether to build the mismatched KL rows
     * @param maxLength the longest KL row, or null for no limit
     */
    public static KTOBatch collate(List<KTOExample> examples, Collator collator, boolean withKl, Integer maxLength) {
        int b = examples.size();
        List<SFTExample> rows = new ArrayList<>(b);
        int[] promptLengths = new int[b];
        boolean[] desirable = new boolean[b];
        for (int i = 0; i < b; i++) {
            KTOExample e = examples.get(i);
            rows.add(SFTExample.allTokens(e.ids()));
            promptLengths[i] = e.promptLength();
            desirable[i] = e.desirable();
        }
        SFTBatch main = collator.collate(rows);
        if (!withKl) {
            return new KTOBatch(main.inputIds(), main.attentionMask(), promptLengths, desirable, null, null,
                    main.tokens());
        }
        List<SFTExample> klRows = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            klRows.add(SFTExample.allTokens(klSequence(examples.get(i), examples.get((i + b - 1) % b), maxLength)));
        }
        SFTBatch kl = collator.collate(klRows);
        return new KTOBatch(main.inputIds(), main.attentionMask(), promptLengths, desirable, kl.inputIds(),
                kl.attentionMask(), main.tokens());
    }

    /** {@code prompt}'s prompt followed by {@code completion}'s completion, at most maxLength tokens. */
    static long[] klSequence(KTOExample prompt, KTOExample completion, Integer maxLength) {
        long[] c = completion.completionIds();
        long[] out = Arrays.copyOf(prompt.ids(), prompt.promptLength() + c.length);
        System.arraycopy(c, 0, out, prompt.promptLength(), c.length);
        return maxLength == null || out.length <= maxLength ? out : Arrays.copyOf(out, maxLength);
    }

    /** B, the number of examples. */
    public int size() {
        return inputIds.shape(0);
    }

    /** The labels as the specification's float tensor: F32 [B], 1 desirable, 0 undesirable. */
    public Tensor labels() {
        float[] l = new float[desirable.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = desirable[i] ? 1 : 0;
        }
        return Tensor.of(l, l.length);
    }

    /** Whether the batch carries KL rows. */
    public boolean hasKl() {
        return klInputIds != null;
    }
}
