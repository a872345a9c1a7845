package io.rlhf4j.trainers.data;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened to a dataset's records while it was read: kept, skipped as malformed (with
 * skip_bad_records), truncated to max_length, and dropped because truncation (or masking) left
 * no token to learn from, as TRL drops them.
 */
public final class DatasetStats {

    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong skippedBad = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong droppedNoLoss = new AtomicLong();

    void kept() {
        kept.incrementAndGet();
    }

    void skippedBad() {
        skippedBad.incrementAndGet();
    }

    void truncated() {
        truncated.incrementAndGet();
    }

    void droppedNoLoss() {
        droppedNoLoss.incrementAndGet();
    }

    public long keptRecords() {
        return kept.get();
    }

    public long skippedBadRecords() {
        return skippedBad.get();
    }

    public long truncatedRecords() {
        return truncated.get();
    }

    public long droppedRecords() {
        return droppedNoLoss.get();
    }

    @Override
    public String toString() {
        return keptRecords() + " records kept, " + skippedBadRecords() + " malformed skipped, " + truncatedRecords()
                + " truncated to max_length, " + droppedRecords() + " dropped with no token to learn from";
    }
}
