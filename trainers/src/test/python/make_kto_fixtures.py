"""Reference values for the KTO losses, computed by TRL 1.13's own KTOTrainer._compute_loss.

That method runs the model; here `self` is a stub with the attributes it reads, the "model" returns
"logits" [B, 2, 1] whose first position holds each sequence's summed completion log-prob, and
kto_trainer's selective_log_softmax is patched to return that entry, so the loss, the KL estimate,
the metrics and the gradient w.r.t. each sequence's log-prob are TRL's. The model answers the KL
sequences (KL_input_ids, the mismatched prompt/completion pairs) with their own log-probs;
reference log-probs enter precomputed (precompute_ref_logps: ref_logps and ref_KL_logps).

Cases: desirable-only, undesirable-only and mixed batches, loss types kto and apo_zero_unpaired,
several beta / desirable_weight / undesirable_weight, and a batch whose KL estimate is negative
(TRL clamps it at 0).

Usage (from the repository root, with trl 1.13 installed):  python trainers/src/test/python/make_kto_fixtures.py
"""
import json
import os
from collections import defaultdict
from types import SimpleNamespace

import torch
import trl.trainer.kto_trainer as kto_module
from trl.trainer.kto_trainer import KTOTrainer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "trainers", "src", "test", "resources", "fixtures")
METRICS = ["kl", "rewards/chosen", "rewards/rejected", "rewards/margins", "logps/chosen", "logps/rejected"]


def stub(loss_type, beta, dw, uw):
    accelerator = SimpleNamespace(device=torch.device("cpu"), gather=lambda t: t, gather_for_metrics=lambda t: t,
                                  unwrap_model=lambda m: m)
    return SimpleNamespace(model=SimpleNamespace(training=True), accelerator=accelerator, aux_loss_enabled=False,
                           precompute_ref_logps=True, calculate_KL=loss_type != "apo_zero_unpaired",
                           loss_type=loss_type, beta=beta, desirable_weight=dw, undesirable_weight=uw,
                           _metrics=defaultdict(lambda: defaultdict(list)), _total_train_tokens=0, _tp_size=1,
                           use_liger_kernel=False, _compute_kl_logps=None)


def case(name, seed, labels, loss_type="kto", beta=0.1, dw=1.0, uw=1.0, kl_shift=0.0):
    g = torch.Generator().manual_seed(seed)
    b = len(labels)
    logps = -torch.rand(b, generator=g, dtype=torch.float64) * 20 - 1
    ref = logps + torch.randn(b, generator=g, dtype=torch.float64) * 3
    kl_logps = -torch.rand(b, generator=g, dtype=torch.float64) * 20 - 1
    ref_kl = kl_logps - torch.rand(b, generator=g, dtype=torch.float64) * 2 - kl_shift

    policy = torch.stack([logps, torch.zeros(b, dtype=torch.float64)], 1).unsqueeze(-1).requires_grad_(True)
    kl_policy = torch.stack([kl_logps, torch.zeros(b, dtype=torch.float64)], 1).unsqueeze(-1)
    ids = torch.zeros(b, 2, dtype=torch.long)
    kl_ids = torch.ones(b, 2, dtype=torch.long)
    mask = torch.tensor([[0, 1]] * b)
    inputs = {"input_ids": ids, "attention_mask": torch.ones(b, 2, dtype=torch.long), "completion_mask": mask,
              "KL_input_ids": kl_ids, "KL_attention_mask": torch.ones(b, 2, dtype=torch.long),
              "KL_completion_mask": mask, "label": torch.tensor(labels), "ref_logps": ref, "ref_KL_logps": ref_kl}

    def model(input_ids, attention_mask, **kw):
        return SimpleNamespace(logits=kl_policy if input_ids is kl_ids else policy)

    s = stub(loss_type, beta, dw, uw)
    s._compute_kl_logps = lambda m, batch: KTOTrainer._compute_kl_logps(s, m, batch)
    original = kto_module.selective_log_softmax
    kto_module.selective_log_softmax = lambda lg, idx: lg[..., 0].clone()
    try:
        loss = KTOTrainer._compute_loss(s, model, inputs, False)
    finally:
        kto_module.selective_log_softmax = original
    loss.backward()
    metrics = {k: s._metrics["train"][k][0] for k in METRICS if s._metrics["train"][k]}
    return {"name": name, "loss_type": loss_type, "beta": beta, "desirable_weight": dw, "undesirable_weight": uw,
            "labels": labels, "logps": logps.tolist(), "ref_logps": ref.tolist(), "kl_logps": kl_logps.tolist(),
            "ref_kl_logps": ref_kl.tolist(), "loss": loss.item(), "grad": policy.grad[:, 0, 0].tolist(),
            "metrics": metrics}


def main():
    cases = [
        case("mixed kto", 1, [True, False, True, False, False]),
        case("desirable only kto", 2, [True, True, True, True], beta=0.5),
        case("undesirable only kto", 3, [False, False, False], beta=0.3),
        case("mixed weighted kto", 4, [False, True, True, False, True, False], beta=0.2, dw=1.33, uw=0.75),
        case("negative KL clamped", 5, [True, False, True], beta=0.1, kl_shift=-5.0),
        case("mixed apo_zero_unpaired", 6, [True, False, False, True], loss_type="apo_zero_unpaired", beta=0.1,
             dw=1.5, uw=0.5),
    ]
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "kto_losses.json"), "w") as f:
        json.dump({"source": "trl 1.13 KTOTrainer._compute_loss", "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
