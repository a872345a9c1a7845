#!/usr/bin/env python3
"""Reference fixtures for io.rlhf4j.engine.safetensors, made and checked with the real library.

The Java tests never run Python: they read what this script commits under
engine/src/test/resources/safetensors/. Needs safetensors (0.8), torch, numpy and
huggingface_hub (for its sharding, which transformers also uses).

Two modes, run from the repository root:

  python engine/src/test/python/make_safetensors_fixtures.py generate
      Writes, with the safetensors library:
        dtypes/<DTYPE>.safetensors  one file per dtype: "values" (edge values; all 256
                                    codes for the FP8 types) and a scalar "scalar"
        mixed.safetensors           several dtypes, a scalar, a zero-size tensor, one
                                    metadata key: the Java writer must reproduce it byte
                                    for byte
        metadata.safetensors        several metadata keys (quotes, newline, non-ASCII); the
                                    library writes them in hash order, so this one file's
                                    bytes may change from run to run (its content does not)
        sharded/                    huggingface_hub.save_torch_state_dict with a tiny
                                    max_shard_size: three shards + model.safetensors.index.json
        malformed/*.safetensors     broken files, each one check of the format; the
                                    library's verdict on each is in malformed/library_verdicts.txt
        expected.json               every tensor's dtype, shape and exact values (floats
                                    widened to float64; "nan"/"inf"/"-inf" as strings),
                                    file metadata, and how sharded/ was made

  ./mvnw -q -pl engine test -Dtest=JavaWrittenFixturesTest -Drlhf4j.regenerateFixtures=true
      (from the repository root, JAVA_HOME set to JDK 25) rewrites java_written/ with the
      Java writer: files in the same layout plus its own expected.json. Without the
      property that test only checks the committed java_written/ is what the writer
      produces today.

  python engine/src/test/python/make_safetensors_fixtures.py check-java
      Loads every file of java_written/ with the library and compares names, dtypes,
      shapes, values and metadata with java_written/expected.json; checks the files are
      byte-identical to what safetensors.torch.save writes for the same tensors (when the
      metadata has at most one key: the library writes several keys in hash order) and that
      java_written/sharded/ is byte-identical to huggingface_hub's output. The report goes to
      java_written_check.txt; the exit status is non-zero on any mismatch.
"""

import json
import math
import re
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np
import safetensors
import torch
from huggingface_hub import save_torch_state_dict
from safetensors import safe_open
from safetensors.torch import save, save_file

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "safetensors"
JAVA_WRITTEN = RESOURCES / "java_written"

TORCH_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "F8_E4M3": torch.float8_e4m3fn, "F8_E5M2": torch.float8_e5m2,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U64": torch.uint64, "U32": torch.uint32, "U16": torch.uint16, "U8": torch.uint8,
    "BOOL": torch.bool,
}
FLOAT_DTYPES = {"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2"}


# ---------------------------------------------------------------- values <-> JSON

def json_values(t: torch.Tensor, dtype: str) -> list:
    """Exact values: floats widened to float64 (exact for every float dtype), ints as ints."""
    flat = t.reshape(-1)
    if dtype in FLOAT_DTYPES:
        return [encode_float(v) for v in flat.to(torch.float64).tolist()]
    return [int(v) for v in flat.tolist()]


def encode_float(v: float):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def readable_json(obj) -> str:
    """Indented JSON with every flat array (shapes, values) kept on one line, to stay small."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    return re.sub(r"\[[^\[\]{}]*\]", lambda m: json.dumps(json.loads(m.group())), text) + "\n"


def same_values(actual: list, expected: list) -> bool:
    """Bitwise equality of float64 values (NaN equals NaN, 0.0 differs from -0.0)."""
    def key(v):
        if isinstance(v, str):
            return v
        if isinstance(v, float):
            return struct.pack("<d", v)
        return v
    return len(actual) == len(expected) and all(key(a) == key(e) for a, e in zip(actual, expected))


def describe_file(path: Path) -> dict:
    """The expected.json record of a file, read back through the library."""
    header = read_header(path)
    tensors = []
    with safe_open(str(path), framework="pt") as f:
        metadata = dict(sorted((f.metadata() or {}).items()))  # the library returns hash order
        for name in header_order(header):
            dtype = header[name]["dtype"]
            t = f.get_tensor(name)
            tensors.append({"name": name, "dtype": dtype, "shape": list(t.shape),
                            "values": json_values(t, dtype)})
    return {"metadata": metadata, "tensors": tensors}


def read_header(path: Path) -> dict:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n])


def header_order(header: dict) -> list:
    """Tensor names in file order (by data offset), as the Java reader lists them."""
    names = [k for k in header if k != "__metadata__"]
    return sorted(names, key=lambda k: tuple(header[k]["data_offsets"]))


# ---------------------------------------------------------------- generate

def dtype_fixtures() -> dict:
    """name -> (values tensor, scalar tensor); edge values of each dtype."""
    def floats(dtype, values):
        return torch.tensor(values, dtype=torch.float64).to(dtype)

    def all_codes(dtype):
        return torch.arange(256, dtype=torch.int32).to(torch.uint8).view(dtype).reshape(16, 16)

    def unsigned(np_dtype, values):
        return torch.from_numpy(np.array(values, dtype=np_dtype))

    inf, nan = math.inf, math.nan
    return {
        "F64": (floats(torch.float64, [0.0, -0.0, 1.0, -2.5, 5e-324, 1.7976931348623157e308,
                                       inf, -inf, nan, 0.1, math.pi, -1e-5]).reshape(3, 4),
                floats(torch.float64, -7.25)),
        "F32": (floats(torch.float32, [0.0, -0.0, 1.0, -2.5, 1e-45, 3.4028234663852886e38,
                                       inf, -inf, nan, 0.1, math.pi, -1e-5]).reshape(3, 4),
                floats(torch.float32, 0.1)),
        "F16": (floats(torch.float16, [0.0, -0.0, 1.0, -2.5, 6e-8, 65504.0, inf, -inf, nan,
                                       0.1, math.pi, 6.103515625e-05]).reshape(3, 4),
                floats(torch.float16, -0.1)),
        "BF16": (floats(torch.bfloat16, [0.0, -0.0, 1.0, -2.5, 1e-40, 3.3895313892515355e38,
                                         inf, -inf, nan, 0.1, math.pi, -1e-5]).reshape(3, 4),
                 floats(torch.bfloat16, 0.1)),
        "F8_E4M3": (all_codes(torch.float8_e4m3fn), floats(torch.float8_e4m3fn, -1.5)),
        "F8_E5M2": (all_codes(torch.float8_e5m2), floats(torch.float8_e5m2, 0.75)),
        "I64": (torch.tensor([0, -1, 1, 2**63 - 1, -2**63, 2**53 + 1], dtype=torch.int64).reshape(2, 3),
                torch.tensor(-42, dtype=torch.int64)),
        "I32": (torch.tensor([0, -1, 1, 2**31 - 1, -2**31, 42], dtype=torch.int32), torch.tensor(-42, dtype=torch.int32)),
        "I16": (torch.tensor([0, -1, 1, 32767, -32768, 42], dtype=torch.int16), torch.tensor(-42, dtype=torch.int16)),
        "I8": (torch.tensor([0, -1, 1, 127, -128, 42], dtype=torch.int8), torch.tensor(-42, dtype=torch.int8)),
        "U64": (unsigned(np.uint64, [0, 1, 2**63 - 1, 2**63, 2**64 - 1, 42]), unsigned(np.uint64, 2**64 - 2)),
        "U32": (unsigned(np.uint32, [0, 1, 2**31 - 1, 2**31, 2**32 - 1, 42]), unsigned(np.uint32, 2**32 - 2)),
        "U16": (unsigned(np.uint16, [0, 1, 32767, 32768, 65535, 42]), unsigned(np.uint16, 65534)),
        "U8": (torch.tensor([0, 1, 127, 128, 255, 42], dtype=torch.uint8), torch.tensor(254, dtype=torch.uint8)),
        "BOOL": (torch.tensor([True, False, True, True, False, False]), torch.tensor(True)),
    }


def mixed_tensors() -> dict:
    # Inserted out of layout order on purpose; u8 has an odd byte count so later offsets are unaligned.
    return {
        "z.weight": torch.arange(4, dtype=torch.float32).reshape(2, 2) / 3,
        "u8": torch.tensor([1, 2, 3, 4, 5], dtype=torch.uint8),
        "a.bias": torch.tensor([-1.5, 2.25], dtype=torch.float32),
        "emb": (torch.arange(6, dtype=torch.float32) / 7).to(torch.bfloat16).reshape(3, 2),
        "ids": torch.tensor([5, 7, 11, 13], dtype=torch.int64),
        "mask": torch.tensor([True, True, False, True]),
        "half": torch.tensor([0.5, -3.0], dtype=torch.float16),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "step": torch.tensor(1234, dtype=torch.int32),
        "d": torch.tensor([math.e], dtype=torch.float64),
    }


SHARDED = {
    "directory": "sharded",
    "max_shard_size": 100,
    "metadata": {"note": "sharded fixture"},
    # 64 + 64 bytes split, and head.weight (256 bytes) is over the limit: it gets its own shard.
    "tensor_order": ["embed.weight", "layer.0.weight", "layer.0.bias", "head.weight"],
}


def sharded_tensors() -> dict:
    return {
        "embed.weight": torch.arange(16, dtype=torch.float32).reshape(4, 4),
        "layer.0.weight": -torch.arange(16, dtype=torch.float32).reshape(4, 4) / 4,
        "layer.0.bias": torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.bfloat16),
        "head.weight": torch.arange(64, dtype=torch.float32).reshape(8, 8) / 8,
    }


def hub_save(tensors: dict, directory: Path, spec: dict):
    directory.mkdir(parents=True, exist_ok=True)
    ordered = {name: tensors[name] for name in spec["tensor_order"]}
    save_torch_state_dict(ordered, directory, max_shard_size=spec["max_shard_size"], metadata=spec["metadata"])


def raw_file(header: str, data: bytes = b"") -> bytes:
    text = header.encode("utf-8")
    return struct.pack("<Q", len(text)) + text + data


def entry(dtype: str, shape: list, begin: int, end: int) -> str:
    return json.dumps({"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}, separators=(",", ":"))


def malformed_files() -> dict:
    """name -> bytes. Each breaks exactly one rule of the format."""
    u8 = lambda begin, end: entry("U8", [end - begin], begin, end)  # noqa: E731
    return {
        "truncated_prefix": b"\x10\x00\x00",
        "header_too_large": struct.pack("<Q", 2**64 - 1) + b"{}",
        "header_past_eof": struct.pack("<Q", 1000) + b"{}",
        "not_utf8": struct.pack("<Q", 4) + b'{"\xff}',
        "bad_json": raw_file('{"a":' + u8(0, 1) + "    ", b"x"),
        "not_object": raw_file("[1, 2]"),
        "trailing_content": raw_file('{"a":' + u8(0, 1) + "} {}", b"x"),
        "missing_data_offsets": raw_file('{"a":{"dtype":"U8","shape":[1]}}', b"x"),
        "unknown_dtype": raw_file('{"a":' + entry("Q8", [1], 0, 1) + "}", b"x"),
        "negative_dim": raw_file('{"a":' + entry("U8", [-1], 0, 1) + "}", b"x"),
        "bad_metadata": raw_file('{"__metadata__":{"k":1},"a":' + u8(0, 1) + "}", b"x"),
        "offsets_reversed": raw_file('{"a":' + entry("U8", [1], 1, 0) + "}", b"x"),
        "offsets_past_end": raw_file('{"a":' + u8(0, 4) + "}", b"xy"),
        "wrong_byte_count": raw_file('{"a":' + entry("F32", [2], 0, 4) + "}", b"xxxx"),
        "shape_overflow": raw_file('{"a":' + entry("F32", [2**62, 4], 0, 0) + "}"),
        "overlap": raw_file('{"a":' + u8(0, 2) + ',"b":' + u8(1, 3) + "}", b"xyz"),
        "zero_size_inside": raw_file('{"a":' + u8(0, 2) + ',"b":' + u8(1, 1) + "}", b"xy"),
        "hole_between": raw_file('{"a":' + u8(0, 1) + ',"b":' + u8(2, 3) + "}", b"xyz"),
        "hole_at_start": raw_file('{"a":' + u8(1, 2) + "}", b"xy"),
        "hole_at_end": raw_file('{"a":' + u8(0, 1) + "}", b"xy"),
        "duplicate_name": raw_file('{"a":' + u8(0, 1) + ',"a":' + u8(1, 2) + "}", b"xy"),
        "duplicate_identical": raw_file('{"a":' + u8(0, 1) + ',"a":' + u8(0, 1) + "}", b"x"),
        "duplicate_key_in_entry": raw_file('{"a":{"dtype":"U8","dtype":"I8","shape":[1],"data_offsets":[0,1]}}', b"x"),
    }


# The library keeps the last of two identical entries; the Java reader rejects any repeated name.
LIBRARY_ACCEPTS = {"duplicate_identical"}


def generate():
    (RESOURCES / "dtypes").mkdir(parents=True, exist_ok=True)
    files = {}
    for dtype, (values, scalar) in dtype_fixtures().items():
        assert TORCH_DTYPES[dtype] == values.dtype == scalar.dtype, dtype
        rel = f"dtypes/{dtype}.safetensors"
        save_file({"values": values, "scalar": scalar}, RESOURCES / rel)
        files[rel] = describe_file(RESOURCES / rel)

    save_file(mixed_tensors(), RESOURCES / "mixed.safetensors", metadata={"format": "pt"})
    files["mixed.safetensors"] = describe_file(RESOURCES / "mixed.safetensors")

    metadata = {"format": "pt", "description": "fixture with metadata \u2713 caf\u00e9",
                "empty": "", "quoted": 'say "hi"\nbye'}
    save_file({"w": torch.tensor([1.0, -1.0])}, RESOURCES / "metadata.safetensors", metadata=metadata)
    files["metadata.safetensors"] = describe_file(RESOURCES / "metadata.safetensors")

    sharded_dir = RESOURCES / SHARDED["directory"]
    hub_save(sharded_tensors(), sharded_dir, SHARDED)
    for shard in sorted(sharded_dir.glob("*.safetensors")):
        rel = f"{SHARDED['directory']}/{shard.name}"
        files[rel] = describe_file(shard)

    malformed_dir = RESOURCES / "malformed"
    malformed_dir.mkdir(exist_ok=True)
    verdicts = []
    for name, raw in malformed_files().items():
        (malformed_dir / f"{name}.safetensors").write_bytes(raw)
        try:
            safetensors.deserialize(raw)
            verdict = "accepted"
        except Exception as e:  # the library raises SafetensorError, or ValueError from serde
            verdict = f"rejected: {e}"
        assert verdict.startswith("accepted") == (name in LIBRARY_ACCEPTS), (name, verdict)
        verdicts.append(f"{name}: {verdict}")
    (malformed_dir / "library_verdicts.txt").write_text(
        f"# safetensors {safetensors.__version__}: safetensors.deserialize() on each file\n"
        + "\n".join(verdicts) + "\n")

    expected = {
        "generator": f"safetensors {safetensors.__version__}, torch {torch.__version__}",
        "files": files,
        "checkpoints": [SHARDED],
    }
    (RESOURCES / "expected.json").write_text(readable_json(expected))
    total = sum(p.stat().st_size for p in RESOURCES.rglob("*") if p.is_file() and JAVA_WRITTEN not in p.parents)
    print(f"wrote fixtures under {RESOURCES} ({total} bytes)")


# ---------------------------------------------------------------- check-java

def check_java():
    expected = json.loads((JAVA_WRITTEN / "expected.json").read_text())
    report = [f"# check of java_written/ with safetensors {safetensors.__version__}, torch {torch.__version__}"]
    failures = 0

    def record(ok: bool, what: str):
        nonlocal failures
        failures += 0 if ok else 1
        report.append(("OK   " if ok else "FAIL ") + what)

    for rel, spec in expected["files"].items():
        path = JAVA_WRITTEN / rel
        actual = describe_file(path)
        record(actual["metadata"] == spec["metadata"], f"{rel}: metadata {spec['metadata']}")
        record([t["name"] for t in actual["tensors"]] == [t["name"] for t in spec["tensors"]],
               f"{rel}: tensor names in file order {[t['name'] for t in spec['tensors']]}")
        for got, want in zip(actual["tensors"], spec["tensors"]):
            ok = got["dtype"] == want["dtype"] and got["shape"] == want["shape"] \
                and same_values(got["values"], want["values"])
            record(ok, f"{rel}: {want['name']} {want['dtype']} {want['shape']} ({len(want['values'])} values)")
        if len(spec["metadata"]) <= 1:
            with safe_open(str(path), framework="pt") as f:
                tensors = {name: f.get_tensor(name) for name in f.keys()}
            reference = save(tensors, metadata=spec["metadata"] or None)
            record(reference == path.read_bytes(), f"{rel}: byte-identical to safetensors.torch.save")

    for spec in expected["checkpoints"]:
        directory = JAVA_WRITTEN / spec["directory"]
        tensors = {}
        for shard in directory.glob("*.safetensors"):
            with safe_open(str(shard), framework="pt") as f:
                tensors.update({name: f.get_tensor(name) for name in f.keys()})
        with tempfile.TemporaryDirectory() as tmp:
            hub_save(tensors, Path(tmp), spec)
            ours = sorted(p.name for p in directory.iterdir())
            theirs = sorted(p.name for p in Path(tmp).iterdir())
            record(ours == theirs, f"{spec['directory']}/: same files as huggingface_hub {theirs}")
            for name in theirs:
                same = (directory / name).exists() and (directory / name).read_bytes() == (Path(tmp) / name).read_bytes()
                record(same, f"{spec['directory']}/{name}: byte-identical to huggingface_hub.save_torch_state_dict")

    report.append(f"# {failures} failure(s)")
    (RESOURCES / "java_written_check.txt").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    return 1 if failures else 0


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "generate":
        generate()
    elif mode == "check-java":
        sys.exit(check_java())
    else:
        sys.exit(__doc__)
