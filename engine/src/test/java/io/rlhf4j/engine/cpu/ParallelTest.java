package io.rlhf4j.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void coversEveryIndexOnceInFixedChunks() {
        for (int run = 0; run < 200; run++) {
            int n = 1 + run * 7;
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            ConcurrentLinkedQueue<List<Integer>> ranges = new ConcurrentLinkedQueue<>();
            Parallel.forRange(n, 1, (start, end) -> {
                ranges.add(List.of(start, end));
                for (int i = start; i < end; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertThat(hits.get(i)).as("index %d of %d", i, n).isEqualTo(1);
            }
            int chunks = Math.min(Parallel.threads(), n);
            assertThat(ranges).hasSize(chunks);
            for (int c = 0; c < chunks; c++) {
                assertThat(ranges).contains(List.of((int) ((long) n * c / chunks),
                        (int) ((long) n * (c + 1) / chunks)));
            }
        }
    }

    @Test
    void minChunkLimitsTheSplit() {
        ConcurrentLinkedQueue<List<Integer>> ranges = new ConcurrentLinkedQueue<>();
        Parallel.forRange(10, 10, (start, end) -> ranges.add(List.of(start, end)));
        assertThat(ranges).containsExactly(List.of(0, 10));
    }

    @Test
    void nestedCallsRunTheSameChunksSerially() {
        int n = 12;
        ConcurrentLinkedQueue<List<Integer>> inner = new ConcurrentLinkedQueue<>();
        Parallel.forRange(2, 1, (s, e) -> Parallel.forRange(n, 1,
                (start, end) -> inner.add(List.of(start, end))));
        int chunks = Math.min(Parallel.threads(), n);
        assertThat(inner).hasSize(Math.min(Parallel.threads(), 2) * chunks);
        for (List<Integer> r : inner) {
            assertThat(r.get(0)).isIn(chunkStarts(n, chunks));
        }
    }

    @Test
    void failuresReachTheCaller() {
        assertThatThrownBy(() -> Parallel.forRange(100, 1, (start, end) -> {
            if (end == 100) {
                throw new IllegalStateException("last chunk failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("last chunk failed");
        AtomicIntegerArray after = new AtomicIntegerArray(1);
        Parallel.forRange(100, 1, (start, end) -> after.addAndGet(0, end - start));
        assertThat(after.get(0)).isEqualTo(100);
    }

    private static List<Integer> chunkStarts(int n, int chunks) {
        return IntStream.range(0, chunks)
                .mapToObj(c -> (int) ((long) n * c / chunks)).toList();
    }
}
