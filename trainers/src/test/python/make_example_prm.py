"""Writes the tiny stepwise example data of examples/prm.yaml (TRL's PRM format).

Each record: {"prompt": "Question: What is a plus b?\\nAnswer:", "completions": [steps], "labels": [bools]}
with two or three steps; a step is good when its arithmetic is right. Seeded, so reruns give the same files.

Usage (from the repository root):  python trainers/src/test/python/make_example_prm.py
"""
import json
import os
import random

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def record(rng):
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    steps, labels = [f" We add {a} and {b}."], [True]
    if rng.random() < 0.5:
        steps.append(f" {a} plus {b} is {a + b}.")
        labels.append(True)
    else:
        wrong = a + b + rng.choice([-2, -1, 1, 2])
        steps.append(f" {a} plus {b} is {wrong}.")
        labels.append(False)
    if rng.random() < 0.5:
        ok = labels[-1]
        steps.append(f" The answer is {a + b if ok else wrong}.")
        labels.append(ok)
    return {"prompt": f"Question: What is {a} plus {b}?\nAnswer:", "completions": steps, "labels": labels}


def write(path, n, seed):
    rng = random.Random(seed)
    with open(os.path.join(ROOT, path), "w") as f:
        for _ in range(n):
            f.write(json.dumps(record(rng)) + "\n")


if __name__ == "__main__":
    write("examples/data/prm.jsonl", 48, 1)
    write("examples/data/prm_eval.jsonl", 16, 2)
