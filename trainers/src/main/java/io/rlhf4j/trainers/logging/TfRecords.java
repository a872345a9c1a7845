package io.rlhf4j.trainers.logging;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing (tensorflow/core/lib/io/record_writer.cc): each record is
 * <pre>
 *   uint64 length (little-endian)
 *   uint32 masked_crc32c(length bytes)
 *   byte[length] data
 *   uint32 masked_crc32c(data)
 * </pre>
 * with the masking of tensorflow/core/lib/hash/crc32c.h: rotate right by 15 and add 0xa282ead8.
 */
public final class TfRecords {

    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecords() {
    }

    /** CRC-32C (Castagnoli), as {@link CRC32C} computes it. */
    public static int crc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    public static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /** The framed record for {@code data}. */
    public static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(mask(crc32c(b.array(), 0, 8)));
        b.put(data);
        b.putInt(mask(crc32c(data, 0, data.length)));
        return b.array();
    }
}
