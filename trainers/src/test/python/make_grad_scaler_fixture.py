"""Records torch.amp.GradScaler's behaviour for GradScalerTest (run from the repository root):

    python3 trainers/src/test/python/make_grad_scaler_fixture.py

Each step sets a parameter's .grad to the given (already loss-scaled) values, then runs
unscale_ / step / update with growth_interval=3, and records the unscaled gradient, whether the
SGD step ran (parameter changed) and the scale after update.
"""
import json
import math
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "fixtures" / "grad_scaler.json"

GRADS = [
    [65536.0, -32768.0, 3.0],
    [1.5, 2.5, -7.0],
    [float("inf"), 1.0, 2.0],
    [12345.678, -0.001, 98765.4321],
    [float("nan"), 0.0, 0.0],
    [1.0, 2.0, 3.0],
    [4.0, 5.0, 6.0],
    [7.0, 8.0, 9.0],
    [0.1, 0.2, 0.3],
    [-1e30, 1e-30, 3.3],
]


def enc(x):
    return x if math.isfinite(x) else str(x)


def main():
    p = torch.nn.Parameter(torch.zeros(3))
    opt = torch.optim.SGD([p], lr=1.0)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=3)
    steps = []
    for g in GRADS:
        before = p.detach().clone()
        scaled_loss = scaler.scale(torch.ones(()))
        p.grad = torch.tensor(g, dtype=torch.float32)
        scaler.unscale_(opt)
        unscaled = p.grad.tolist()
        scaler.step(opt)
        stepped = not torch.equal(before, p.detach())
        scaler.update()
        steps.append({"scaled_one": scaled_loss.item(), "grad": [enc(v) for v in g], "unscaled": [enc(v) for v in unscaled], "stepped": stepped,
                      "scale_after": scaler.get_scale()})
        opt.zero_grad()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"torch": torch.__version__, "init_scale": 2.0**16, "growth_interval": 3,
                               "steps": steps}, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
