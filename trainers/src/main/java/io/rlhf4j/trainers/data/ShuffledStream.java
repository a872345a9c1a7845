package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.random.Generator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Examples read lazily from a JSONL or raw-text file (what the specification's streaming datasets
 * share: {@link StreamingSFTDataset}, {@link StreamingPreferenceDataset}, {@link StreamingGRPODataset}), randomised by a shuffle
 * buffer as datasets' IterableDataset.shuffle does: the buffer fills to
 * {@code bufferSize} records; then each new record replaces a uniformly drawn buffer slot, whose
 * old record is yielded; at the end of the file the rest of the buffer is yielded in a random
 * order. The stream is endless: after the last record the file is read again (the next pass, with
 * its own order). The randomness of pass p is {@code Generator.seed(seed).fork("stream-shuffle")
 * .fork("pass-<p>")}, so position (pass, examples yielded in it) identifies the stream's state, and
 * resuming replays the pass up to that point.
 */
public class ShuffledStream<E> implements DataSource<E> {

    private final Path file;
    private final RecordEncoder<E> encoder;
    private final String kind;
    private final String textField;
    private final boolean skipBadRecords;
    private final int bufferSize;
    private final long seed;
    private final DatasetStats stats = new DatasetStats();
    private int pass;
    private long yielded;
    private RecordReader reader;
    private Generator random;
    private final List<E> buffer = new ArrayList<>();
    private List<E> tail;

    /** @param kind what the examples are, for the message when the file has none ("SFT") */
    public ShuffledStream(Path file, RecordEncoder<E> encoder, String kind, String textField, boolean skipBadRecords,
            int bufferSize, long seed) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("shuffle buffer size must be >= 1, got " + bufferSize);
        }
        this.file = file;
        this.encoder = encoder;
        this.kind = kind;
        this.textField = textField;
        this.skipBadRecords = skipBadRecords;
        this.bufferSize = bufferSize;
        this.seed = seed;
        startPass(0);
    }

    @Override
    public OptionalLong size() {
        return OptionalLong.empty();
    }

    @Override
    public List<E> nextBatch(int batchSize) {
        List<E> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            batch.add(next());
        }
        return batch;
    }

    /** The next example of the endless stream. */
    public E next() {
        while (true) {
            if (tail == null) {
                E x = reader.nextExample(encoder);
                if (x == null) {
                    int[] order = random.permutation(buffer.size());
                    tail = new ArrayList<>(buffer.size());
                    for (int i : order) {
                        tail.add(buffer.get(i));
                    }
                    buffer.clear();
                } else if (buffer.size() == bufferSize) {
                    int slot = (int) random.nextLong(bufferSize);
                    E out = buffer.get(slot);
                    buffer.set(slot, x);
                    yielded++;
                    return out;
                } else {
                    buffer.add(x);
                }
            } else if (!tail.isEmpty()) {
                yielded++;
                return tail.removeFirst();
            } else if (yielded == 0) {
                throw new IllegalArgumentException(file + ": no usable " + kind + " record (" + stats + ")");
            } else {
                startPass(pass + 1);
            }
        }
    }

    private void startPass(int p) {
        if (reader != null) {
            reader.close();
        }
        pass = p;
        yielded = 0;
        buffer.clear();
        tail = null;
        reader = new RecordReader(file, textField, skipBadRecords, stats);
        random = Generator.seed(seed).fork("stream-shuffle").fork("pass-" + p);
    }

    @Override
    public boolean epochFinished() {
        return false;
    }

    @Override
    public DataPosition position() {
        return new DataPosition(pass, yielded, seed);
    }

    @Override
    public void resume(DataPosition position) {
        if (position.shuffleSeed() != seed) {
            throw new IllegalArgumentException("the checkpoint's stream was shuffled with seed " + position.shuffleSeed()
                    + ", this run uses " + seed + ": resume with the same seed");
        }
        startPass(position.epoch());
        for (long i = 0; i < position.indexInEpoch(); i++) {
            next();
        }
    }

    @Override
    public double epoch() {
        return pass;
    }

    /** Counts over everything read so far (records of every pass). */
    public DatasetStats stats() {
        return stats;
    }
}
