package io.rlhf4j.trainers.data;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** A list of examples visited in the per-epoch order of an {@link EpochSampler}. */
public final class InMemorySource<E> implements DataSource<E> {

    private final List<E> examples;
    private final boolean shuffle;
    private EpochSampler sampler;

    public InMemorySource(List<E> examples, long seed, boolean shuffle) {
        this.examples = List.copyOf(examples);
        this.shuffle = shuffle;
        this.sampler = new EpochSampler(this.examples.size(), seed, shuffle);
    }

    @Override
    public OptionalLong size() {
        return OptionalLong.of(examples.size());
    }

    @Override
    public List<E> nextBatch(int batchSize) {
        List<E> batch = new ArrayList<>(batchSize);
        for (int i : sampler.nextBatch(batchSize)) {
            batch.add(examples.get(i));
        }
        return batch;
    }

    @Override
    public boolean epochFinished() {
        return sampler.epochFinished();
    }

    @Override
    public DataPosition position() {
        return sampler.position();
    }

    @Override
    public void resume(DataPosition position) {
        sampler = EpochSampler.resume(examples.size(), shuffle, position);
    }

    @Override
    public double epoch() {
        DataPosition p = sampler.position();
        return p.epoch() + (double) p.indexInEpoch() / examples.size();
    }
}
