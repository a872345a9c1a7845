"""Reference values for the optim package, computed by torch and transformers.

Writes engine/src/test/resources/optim/optim_fixtures.json:
  adamw_f32, adamw_f64, sgd_*: parameters after each of 5 steps with given gradients
    (torch.optim.AdamW / SGD, single-tensor path, foreach=False), two parameter groups,
    and parameter 1 has no gradient at step 2 (it must be skipped);
  schedules: transformers' cosine / linear / constant-with-warmup multipliers at several steps;
  clip: torch.nn.utils.clip_grad_norm_ total norms and clipped gradients.
Run: python3 engine/src/test/python/make_optim_fixtures.py (torch 2.13, transformers 5.x).
"""
import json
import pathlib

import torch
import transformers
from transformers.optimization import (
    get_constant_schedule_with_warmup,
    get_cosine_schedule_with_warmup,
    get_linear_schedule_with_warmup,
)

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "optim" / "optim_fixtures.json"
SHAPES = [[37], [5, 7], [3]]
STEPS = 5
SKIP = (2, 1)  # (step, parameter) without a gradient


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def make_inputs(dtype):
    g = torch.Generator().manual_seed(1234)
    init = [torch.randn(s, generator=g, dtype=torch.float64).to(dtype) for s in SHAPES]
    grads = [[torch.randn(s, generator=g, dtype=torch.float64).to(dtype) * (0.5 + step) for s in SHAPES]
             for step in range(STEPS)]
    return init, grads


def run(make_optimizer, dtype):
    init, grads = make_inputs(dtype)
    params = [p.clone().requires_grad_(True) for p in init]
    groups = make_optimizer.groups
    opt = make_optimizer([{"params": [params[i] for i in g["params"]], "lr": g["lr"],
                           "weight_decay": g["weight_decay"]} for g in groups])
    after = []
    used_grads = []
    for step in range(STEPS):
        step_grads = []
        for i, p in enumerate(params):
            if (step, i) == SKIP:
                p.grad = None
                step_grads.append(None)
            else:
                p.grad = grads[step][i].clone()
                step_grads.append(flat(grads[step][i]))
        used_grads.append(step_grads)
        opt.step()
        after.append([flat(p) for p in params])
    return {"shapes": SHAPES, "groups": groups, "init": [flat(p) for p in init], "grads": used_grads,
            "params_after": after}


def adamw(betas, eps):
    def make(groups):
        return torch.optim.AdamW(groups, betas=betas, eps=eps, foreach=False)
    make.groups = [{"params": [0, 2], "lr": 1e-2, "weight_decay": 0.1},
                   {"params": [1], "lr": 5e-3, "weight_decay": 0.0}]
    return make


def sgd(momentum, dampening, nesterov):
    def make(groups):
        return torch.optim.SGD(groups, momentum=momentum, dampening=dampening, nesterov=nesterov, foreach=False)
    make.groups = [{"params": [0, 2], "lr": 0.1, "weight_decay": 0.01},
                   {"params": [1], "lr": 0.05, "weight_decay": 0.0}]
    return make


def schedules():
    steps = [0, 1, 5, 9, 10, 11, 37, 50, 99, 100, 101, 150]
    out = {"warmup": 10, "total": 100, "steps": steps}
    for name, factory in [("cosine", lambda o: get_cosine_schedule_with_warmup(o, 10, 100)),
                          ("linear", lambda o: get_linear_schedule_with_warmup(o, 10, 100)),
                          ("constant", lambda o: get_constant_schedule_with_warmup(o, 10))]:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        sched = factory(opt)
        out[name] = [float(sched.lr_lambdas[0](s)) for s in steps]
        # The same through LambdaLR's own stepping: lr after k scheduler steps, base lr 1.
        lrs = []
        for _ in range(12):
            lrs.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            sched.step()
        out[name + "_stepped"] = lrs
    return out


def clip():
    g = torch.Generator().manual_seed(99)
    cases = []
    for max_norm in [1.0, 1e3]:
        params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
        for p in params:
            p.grad = torch.randn(p.shape, generator=g) * 2
        before = [flat(p.grad) for p in params]
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        cases.append({"max_norm": max_norm, "shapes": SHAPES, "grads": before, "total_norm": float(total),
                      "clipped": [flat(p.grad) for p in params]})
    return cases


def main():
    fixtures = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "adamw_f32": run(adamw((0.9, 0.999), 1e-8), torch.float32),
        "adamw_f64": run(adamw((0.9, 0.999), 1e-8), torch.float64),
        "adamw_low_beta1_f32": run(adamw((0.3, 0.95), 1e-6), torch.float32),
        "sgd_plain_f32": run(sgd(0.0, 0.0, False), torch.float32),
        "sgd_momentum_f32": run(sgd(0.9, 0.1, False), torch.float32),
        "sgd_nesterov_f32": run(sgd(0.9, 0.0, True), torch.float32),
        "sgd_nesterov_f64": run(sgd(0.9, 0.0, True), torch.float64),
        "schedules": schedules(),
        "clip": clip(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixtures, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
