package io.rlhf4j.trainers.logging;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Hand-encoded TensorFlow Event protobufs, just the fields TensorBoard's scalar view reads
 * (tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto):
 * Event{wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5}
 * Summary{value = 1 (repeated)}, Summary.Value{tag = 1 (string), simple_value = 2 (float)}.
 */
public final class EventProto {

    /** The first event of every file; readers check it to recognise the format version. */
    public static final String FILE_VERSION = "brain.Event:2";

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private EventProto() {
    }

    public static byte[] fileVersion(double wallTime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        wallTime(out, wallTime);
        bytesField(out, 3, FILE_VERSION.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** One event holding every scalar of one log call, in the map's order. */
    public static byte[] scalars(double wallTime, long step, Map<String, Double> values) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            bytesField(value, 1, e.getKey().getBytes(StandardCharsets.UTF_8));
            tag(value, 2, FIXED32);
            littleEndian(value, Float.floatToRawIntBits(e.getValue().floatValue()), 4);
            bytesField(summary, 1, value.toByteArray());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        wallTime(out, wallTime);
        tag(out, 2, VARINT);
        varint(out, step);
        bytesField(out, 5, summary.toByteArray());
        return out.toByteArray();
    }

    private static void wallTime(ByteArrayOutputStream out, double wallTime) {
        tag(out, 1, FIXED64);
        littleEndian(out, Double.doubleToRawLongBits(wallTime), 8);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        tag(out, field, LENGTH_DELIMITED);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void tag(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, ((long) field << 3) | wireType);
    }

    /** Base-128 varint, low group first; a negative int64 takes ten bytes (two's complement). */
    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void littleEndian(ByteArrayOutputStream out, long bits, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (bits >>> (8 * i)) & 0xFF);
        }
    }
}
