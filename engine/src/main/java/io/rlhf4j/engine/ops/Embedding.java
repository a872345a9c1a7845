package io.rlhf4j.engine.ops;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.autograd.Autograd;
import java.util.Arrays;

/**
 * Embedding lookup: rows of a [vocab, hidden] weight selected by integer ids of any shape, giving
 * ids.shape + [hidden]. The backward adds gradient rows into a zero weight gradient, split over
 * the hidden dimension (never over tokens) so repeated ids accumulate in token order.
 */
public final class Embedding {

    private Embedding() {
    }

    public static Tensor lookup(Tensor weight, Tensor ids) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("embedding weight must be [vocab, hidden], got shape "
                    + Arrays.toString(weight.shape()));
        }
        Indices.checkIntegral(ids, "embedding");
        int vocab = weight.shape(0);
        int hidden = weight.shape(1);
        long[] flat = ids.toLongArray();
        for (int i = 0; i < flat.length; i++) {
            if (flat[i] < 0 || flat[i] >= vocab) {
                throw new IndexOutOfBoundsException("embedding: token id " + flat[i] + " (at flat position " + i
                        + " of ids " + Arrays.toString(ids.shape()) + ") is out of range for vocab size " + vocab);
            }
        }
        int[] outShape = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        outShape[ids.rank()] = hidden;
        Tensor out = IndexSelect.select(weight, 0, flat).view(outShape);
        int[] wShape = weight.shape();
        return Autograd.record(out, "embedding", g -> {
            // An F32 weight leaf takes the rows straight into its gradient buffer: no dense
            // [vocab, hidden] gradient (108 MiB for SmolLM) is materialised.
            Tensor sink = Autograd.leafGradSink(weight);
            if (sink != null) {
                IndexSelect.addInto(g.reshape(flat.length, hidden), 0, flat, sink);
                return new Tensor[] {null, null};
            }
            return new Tensor[] {IndexSelect.add(g.reshape(flat.length, hidden), 0, flat, wShape).to(weight.dtype()), null};
        }, weight, ids);
    }
}
