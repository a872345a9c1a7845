"""Builds the KTO example data from the DPO example pairs, unpaired as TRL's unpair_preference_dataset
does (each pair gives its chosen completion labelled desirable and its rejected one undesirable),
then shuffled so batches mix labels.

Writes (deterministically; rerun to regenerate, then commit the outputs):
  examples/data/kto.jsonl        {prompt, completion, label: true|false}  (TRL's unpaired format)
  examples/data/kto_eval.jsonl   {prompt, response, label: 1|0}           (the specification's format)

Usage: python trainers/src/test/python/make_example_kto.py   (from the repository root)
"""
import json
import os
import random

from make_example_model import write_jsonl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "examples", "data")


def unpaired(path, completion, desirable, undesirable):
    with open(path) as f:
        pairs = [json.loads(line) for line in f if line.strip()]
    rows = []
    for p in pairs:
        rows.append({"prompt": p["prompt"], completion: p["chosen"], "label": desirable})
        rows.append({"prompt": p["prompt"], completion: p["rejected"], "label": undesirable})
    return rows


def main():
    rng = random.Random(2402)
    train = unpaired(os.path.join(DATA, "preference.jsonl"), "completion", True, False)
    rng.shuffle(train)
    write_jsonl(os.path.join(DATA, "kto.jsonl"), train)
    write_jsonl(os.path.join(DATA, "kto_eval.jsonl"),
                unpaired(os.path.join(DATA, "preference_eval.jsonl"), "response", 1, 0))


if __name__ == "__main__":
    main()
