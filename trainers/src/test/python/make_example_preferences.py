"""Builds the DPO/SimPO example data from the SFT example data: the SFT response is chosen, a wrong
answer of the same shape is rejected (a sum off by 1-3, another country's capital, the word itself
as its opposite).

Writes (deterministically; rerun to regenerate, then commit the outputs):
  examples/data/preference.jsonl, examples/data/preference_eval.jsonl   {prompt, chosen, rejected}
  examples/data/preference_chat.jsonl       the same pairs in TRL's conversational form

Usage: python trainers/src/test/python/make_example_preferences.py   (from the repository root)
"""
import json
import os
import random
import re

from make_example_model import write_jsonl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "examples", "data")


def wrong(response, rng, cities):
    m = re.fullmatch(r" (\d) plus (\d) is (\d+)\.", response)
    if m:
        a, b, s = (int(g) for g in m.groups())
        return f" {a} plus {b} is {s + rng.choice([-3, -2, -1, 1, 2, 3]) if s > 2 else s + rng.choice([1, 2, 3])}."
    m = re.fullmatch(r" The capital of (\w+) is (\w+)\.", response)
    if m:
        return f" The capital of {m.group(1)} is {rng.choice([c for c in cities if c != m.group(2)])}."
    m = re.fullmatch(r" The opposite of (\w+) is (\w+)\.", response)
    return f" The opposite of {m.group(1)} is {m.group(1)}."


def pairs(path, rng, cities):
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [{"prompt": r["prompt"], "chosen": r["response"], "rejected": wrong(r["response"], rng, cities)}
            for r in rows]


def main():
    rng = random.Random(4321)
    with open(os.path.join(DATA, "sft.jsonl")) as f:
        cities = sorted({m.group(1) for m in re.finditer(r"capital of \w+ is (\w+)\.", f.read())})
    train = pairs(os.path.join(DATA, "sft.jsonl"), rng, cities)[:48]
    held_out = pairs(os.path.join(DATA, "sft_eval.jsonl"), rng, cities)
    write_jsonl(os.path.join(DATA, "preference.jsonl"), train)
    write_jsonl(os.path.join(DATA, "preference_eval.jsonl"), held_out)
    chat = [{"prompt": [{"role": "user", "content": p["prompt"].removeprefix("Question: ").removesuffix("\nAnswer:")}],
             "chosen": [{"role": "assistant", "content": p["chosen"].strip()}],
             "rejected": [{"role": "assistant", "content": p["rejected"].strip()}]} for p in train[:12]]
    write_jsonl(os.path.join(DATA, "preference_chat.jsonl"), chat)


if __name__ == "__main__":
    main()
