"""Reads a Java-written TensorBoard event file two ways and prints its scalars (run from the
repository root):

    python3 trainers/src/test/python/check_tensorboard_events.py \
        trainers/src/test/resources/tensorboard/events.out.tfevents.1700000000.sample

1. An independent TFRecord reader: checks every length and data CRC against a pure-Python
   CRC-32C with TensorFlow's masking, and parses each record as a tensorboard Event protobuf.
2. tensorboard's own EventAccumulator (what the TensorBoard UI uses), which prints the scalars.

The committed output is trainers/src/test/resources/tensorboard/check_tensorboard_events.out.txt.
"""
import struct
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto.event_pb2 import Event


def crc32c(data):
    """Bitwise CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path):
    with open(path, "rb") as f:
        buf = f.read()
    pos, records = 0, []
    while pos < len(buf):
        header = buf[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        assert length_crc == masked(crc32c(header)), f"bad length CRC at byte {pos}"
        data = buf[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", buf[pos + 12 + length:pos + 16 + length])
        assert data_crc == masked(crc32c(data)), f"bad data CRC at byte {pos}"
        records.append(data)
        pos += 16 + length
    return records


def main(path):
    assert crc32c(b"123456789") == 0xE3069283
    records = read_records(path)
    print(f"{len(records)} records, all CRCs valid")
    first = Event.FromString(records[0])
    print(f"first event: wall_time={first.wall_time} file_version={first.file_version!r}")
    for data in records[1:]:
        e = Event.FromString(data)
        values = ", ".join(f"{v.tag}={v.simple_value!r}" for v in e.summary.value)
        print(f"event: wall_time={e.wall_time} step={e.step} {values}")
    acc = EventAccumulator(path)
    acc.Reload()
    print("EventAccumulator tags:", sorted(acc.Tags()["scalars"]))
    for tag in sorted(acc.Tags()["scalars"]):
        for s in acc.Scalars(tag):
            print(f"  {tag} step={s.step} wall_time={s.wall_time} value={s.value!r}")


if __name__ == "__main__":
    main(sys.argv[1])
