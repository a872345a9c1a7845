package io.rlhf4j.trainers.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TfRecordsTest {

    @Test
    void crc32cKnownVectors() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(TfRecords.crc32c(check, 0, check.length)).isEqualTo(0xE3069283);
        // RFC 3720 B.4: 32 bytes of zeros and of 0xFF.
        assertThat(TfRecords.crc32c(new byte[32], 0, 32)).isEqualTo(0x8A9136AA);
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        assertThat(TfRecords.crc32c(ones, 0, 32)).isEqualTo(0x62A8AB43);
    }

    @Test
    void maskRotatesRightBy15AndAddsDelta() {
        for (int crc : new int[] {0, 1, 0xE3069283, 0xFFFFFFFF, 0x12345678}) {
            long expected = ((Integer.toUnsignedLong(crc) >>> 15 | Integer.toUnsignedLong(crc) << 17) + 0xa282ead8L)
                    & 0xFFFFFFFFL;
            assertThat(Integer.toUnsignedLong(TfRecords.mask(crc))).isEqualTo(expected);
        }
    }

    @Test
    void frameLayout() {
        byte[] data = {1, 2, 3};
        ByteBuffer b = ByteBuffer.wrap(TfRecords.frame(data)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(8 + 4 + 3 + 4);
        assertThat(b.getLong()).isEqualTo(3);
        byte[] len = new byte[8];
        len[0] = 3;
        assertThat(b.getInt()).isEqualTo(TfRecords.mask(TfRecords.crc32c(len, 0, 8)));
        assertThat(new byte[] {b.get(), b.get(), b.get()}).containsExactly(1, 2, 3);
        assertThat(b.getInt()).isEqualTo(TfRecords.mask(TfRecords.crc32c(data, 0, 3)));
    }

    @Test
    void eventEncodingByHand() {
        // Event{wall_time=1.5 (0x09 + double), step=300 (0x10, varint ac 02),
        //       summary (0x2a len){value (0x0a len){tag (0x0a 01 'a'), simple_value (0x15 + float 0.5)}}}
        byte[] e = EventProto.scalars(1.5, 300, Map.of("a", 0.5));
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(0x09);
        want.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).array());
        want.writeBytes(new byte[] {0x10, (byte) 0xac, 0x02, 0x2a, 10, 0x0a, 8, 0x0a, 1, 'a', 0x15});
        want.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).array());
        assertThat(e).containsExactly(want.toByteArray());
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        EventProto.varint(v, -1);
        assertThat(v.toByteArray()).hasSize(10);
    }

    @Test
    void fileVersionEvent() {
        byte[] e = EventProto.fileVersion(2.0);
        assertThat(e[9]).isEqualTo((byte) 0x1a);
        assertThat(new String(e, 11, e[10], StandardCharsets.UTF_8)).isEqualTo("brain.Event:2");
    }

    @Test
    void committedSampleIsWhatTheWriterProducesNow() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/tensorboard/" + SampleEvents.NAME)) {
            assertThat(in).as("committed sample event file").isNotNull();
            assertThat(in.readAllBytes()).isEqualTo(SampleEvents.bytes());
        }
    }
}
