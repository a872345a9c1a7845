"""Records transformers' step arithmetic for StepScheduleTest (run from the repository root):

    python3 trainers/src/test/python/make_step_schedule_fixture.py

Calls the real Trainer.set_initial_training_values (with stand-ins for the Trainer and its arguments, and a
real DataLoader) and
TrainingArguments.get_warmup_steps for a table of cases.
"""
import json
import math
import pathlib
import types

import torch
import transformers
from transformers import Trainer, TrainingArguments

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "fixtures" / "step_schedule.json"

CASES = [
    # n, batch, accumulation, epochs, max_steps, drop_last, warmup_steps
    (100, 8, 1, 3.0, -1, False, 0),
    (100, 8, 4, 3.0, -1, False, 0.1),
    (100, 8, 4, 2.5, -1, True, 5),
    (7, 8, 4, 1.0, -1, False, 0.5),
    (1000, 4, 3, 0.3, -1, False, 0.03),
    (1000, 4, 3, 3.0, 50, False, 0.2),
    (64, 8, 8, 3.0, 10, False, 3),
    (65, 8, 2, 1.0, -1, True, 0.999),
]


def main():
    rows = []
    for n, batch, accumulation, epochs, max_steps, drop_last, warmup in CASES:
        # The fields the two methods read; constructing TrainingArguments itself needs accelerate.
        args = types.SimpleNamespace(per_device_train_batch_size=batch, gradient_accumulation_steps=accumulation,
                                     num_train_epochs=epochs, max_steps=max_steps, warmup_steps=warmup)
        loader = torch.utils.data.DataLoader(list(range(n)), batch_size=batch, drop_last=drop_last)
        stub = types.SimpleNamespace(get_total_train_batch_size=lambda a: a.per_device_train_batch_size
                                     * a.gradient_accumulation_steps,
                                     get_sp_size=lambda: 1, num_examples=lambda d: len(d.dataset))
        (num_train_epochs, updates, _, _, _, steps_in_epoch, total) = Trainer.set_initial_training_values(
            stub, args, loader)
        rows.append({"n": n, "batch": batch, "accumulation": accumulation, "epochs": epochs, "max_steps": max_steps,
                     "drop_last": drop_last, "warmup": warmup, "batches_per_epoch": steps_in_epoch,
                     "updates_per_epoch": updates, "total_steps": total, "num_epochs": num_train_epochs,
                     "warmup_steps": TrainingArguments.get_warmup_steps(args, total)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"transformers": transformers.__version__, "cases": rows}, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
