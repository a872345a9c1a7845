package io.rlhf4j.trainers.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardFunctionsTest {

    @Test
    void exactMatchComparesTheLastNumberOrTheFinalText() {
        RewardFunction f = RewardFunctions.parse("exact_match");
        assertThat(f.score("q", " 3 plus 4 is 7.", Map.of("answer", "7"))).isEqualTo(1);
        assertThat(f.score("q", " 7 or 8", Map.of("answer", "7"))).isZero();
        assertThat(f.score("q", "no number", Map.of("answer", "7"))).isZero();
        assertThat(f.score("q", "it is 7.0", Map.of("answer", "7"))).isEqualTo(1);
        assertThat(f.score("q", "so #### Havana ", Map.of("answer", "Havana"))).isEqualTo(1);
        assertThat(RewardFunctions.parse("exact_match:city").score("q", " Havana", Map.of("city", "Havana")))
                .isEqualTo(1);
        assertThatThrownBy(() -> f.score("q", "7", Map.of())).hasMessageContaining("no 'answer' column");
    }

    @Test
    void formatLengthAndCharFraction() {
        assertThat(RewardFunctions.parse("format:\\s*\\d").score("q", " 12 apples")).isEqualTo(1);
        assertThat(RewardFunctions.parse("format:\\s*\\d").score("q", "apples 12")).isZero();
        assertThat(RewardFunctions.parse("length:10").score("q", "12345")).isCloseTo(0.5, within(1e-12));
        assertThat(RewardFunctions.parse("length:10").score("q", "1234567890")).isEqualTo(1);
        assertThat(RewardFunctions.parse("char_fraction:ab").score("q", "abcd")).isCloseTo(0.5, within(1e-12));
        assertThat(RewardFunctions.parse("char_fraction:ab").score("q", "")).isZero();
        assertThat(RewardFunctions.parse("char_fraction:x").name()).isEqualTo("char_fraction");
    }

    @Test
    void batchScoringDefaultsToOneAtATimeAndBadSpecsAreNamed() {
        RewardFunction len = (p, c) -> c.length();
        assertThat(len.scoreBatch(List.of("a", "b"), List.of("xy", "xyz"), List.of(Map.of(), Map.of())))
                .containsExactly(2, 3);
        assertThatThrownBy(() -> RewardFunctions.parse("nope")).hasMessageContaining("unknown reward function 'nope'");
        assertThatThrownBy(() -> RewardFunctions.parse("format")).hasMessageContaining("needs an argument");
        assertThatThrownBy(() -> RewardFunctions.parse("length:x")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> RewardFunctions.parse("length:0")).hasMessageContaining("at least 1");
        assertThat(RewardFunctions.problem(List.of("exact_match", "format:("))).startsWith("'format:('");
        assertThat(RewardFunctions.problem(List.of("exact_match", "length:4"))).isNull();
    }
}
