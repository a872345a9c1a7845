package io.rlhf4j.trainers.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpochSamplerTest {

    private static List<Integer> drain(EpochSampler s, int batches, int batchSize) {
        List<Integer> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            for (int i : s.nextBatch(batchSize)) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void eachEpochIsAPermutationAndEpochsDiffer() {
        EpochSampler s = new EpochSampler(10, 42, true);
        int[] e0 = s.order(0);
        int[] e1 = s.order(1);
        assertThat(Arrays.stream(e0).sorted().toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(Arrays.stream(e1).sorted().toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(e0).isNotEqualTo(e1);
        assertThat(new EpochSampler(10, 42, true).order(0)).isEqualTo(e0);
        assertThat(new EpochSampler(10, 43, true).order(0)).isNotEqualTo(e0);
        assertThat(new EpochSampler(4, 42, false).order(3)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void batchesFollowTheOrderWithAShortLastBatch() {
        EpochSampler s = new EpochSampler(10, 7, true);
        int[] e0 = s.order(0);
        assertThat(s.nextBatch(4)).containsExactly(Arrays.copyOfRange(e0, 0, 4));
        assertThat(s.nextBatch(4)).containsExactly(Arrays.copyOfRange(e0, 4, 8));
        assertThat(s.nextBatch(4)).containsExactly(Arrays.copyOfRange(e0, 8, 10));
        assertThat(s.epochFinished()).isTrue();
        assertThat(s.position()).isEqualTo(new DataPosition(0, 10, 7));
        assertThat(s.nextBatch(4)).containsExactly(Arrays.copyOfRange(s.order(1), 0, 4));
        assertThat(s.position()).isEqualTo(new DataPosition(1, 4, 7));
    }

    @Test
    void resumeMidEpochContinuesExactly() {
        EpochSampler straight = new EpochSampler(13, 99, true);
        List<Integer> all = drain(straight, 20, 3);
        EpochSampler first = new EpochSampler(13, 99, true);
        List<Integer> part = drain(first, 7, 3);
        DataPosition saved = first.position();
        assertThat(saved.epoch()).isEqualTo(1);
        EpochSampler resumed = EpochSampler.resume(13, true, saved);
        part.addAll(drain(resumed, 13, 3));
        assertThat(part).isEqualTo(all);
    }

    @Test
    void rejectsAPositionPastTheData() {
        assertThatThrownBy(() -> EpochSampler.resume(5, true, new DataPosition(0, 6, 1)))
                .hasMessageContaining("was the dataset changed");
    }
}
