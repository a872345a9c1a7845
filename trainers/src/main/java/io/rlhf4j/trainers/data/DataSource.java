package io.rlhf4j.trainers.data;

import java.util.List;
import java.util.OptionalLong;

/**
 * The training examples in the order a run visits them, resumable at any batch boundary: an
 * in-memory dataset through {@link EpochSampler} ({@link InMemorySource}) or a file read lazily
 * ({@link StreamingSFTDataset}).
 */
public interface DataSource<E> {

    /** Examples per epoch, empty when unknown (streaming). */
    OptionalLong size();

    /** The next up to {@code batchSize} examples of the current epoch, moving to the next epoch first when it is used up. */
    List<E> nextBatch(int batchSize);

    /** Whether the current epoch's examples are all consumed (never, for an endless stream). */
    boolean epochFinished();

    /** Where the source stands, saved in checkpoints. */
    DataPosition position();

    /** Continues exactly where a source over the same data stood at {@code position}. */
    void resume(DataPosition position);

    /** The fractional epoch, as transformers logs it. */
    double epoch();
}
