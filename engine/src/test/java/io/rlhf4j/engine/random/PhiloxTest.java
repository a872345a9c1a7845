package io.rlhf4j.engine.random;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhiloxTest {

    @Test
    void matchesRandom123KnownAnswers() throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = PhiloxTest.class.getResourceAsStream("/random/philox4x32_10_kat.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line.trim());
                }
            }
        }
        assertThat(lines).hasSize(6);
        for (String line : lines) {
            String[] f = line.split("\\s+");
            int rounds = Integer.parseInt(f[1]);
            int[] ctr = {hex(f[2]), hex(f[3]), hex(f[4]), hex(f[5])};
            int[] key = {hex(f[6]), hex(f[7])};
            int[] expected = {hex(f[8]), hex(f[9]), hex(f[10]), hex(f[11])};
            assertThat(Philox.philox4x32(ctr, key, rounds)).as(line).containsExactly(expected);
        }
    }

    @Test
    void blockPacksTheSameBijectionIntoTwoLongs() {
        long key = 0x299f31d0a4093822L;
        long block = 0x85a308d3243f6a88L;
        long stream = 0x0370734413198a2eL;
        long[] w = new long[2];
        Philox.block(key, stream, block, w);
        int[] ref = Philox.philox4x32(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                new int[] {0xa4093822, 0x299f31d0}, 10);
        assertThat(w[0]).isEqualTo(Integer.toUnsignedLong(ref[0]) | (long) ref[1] << 32);
        assertThat(w[1]).isEqualTo(Integer.toUnsignedLong(ref[2]) | (long) ref[3] << 32);
        assertThat(w[0]).isEqualTo(0x94fdccebd16cfe09L);
    }

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s, 16);
    }
}
