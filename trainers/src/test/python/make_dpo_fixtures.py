"""Reference values for the DPO and SimPO losses and for preference log-probs, computed by TRL 1.13.

Part 1, losses (trainers/src/test/resources/fixtures/preference_losses.json). The values come from
TRL's own code, called on fixed inputs:
  * DPO: trl/trainer/dpo_trainer.py, DPOTrainer._compute_loss. It is a method that runs the model;
    here `self` is a stub with the attributes that method reads, the "model" returns a fixed
    tensor of per-token log-probs shaped like logits [2B, T, 1], and dpo_trainer's
    selective_log_softmax is patched to return it unchanged, so the loss, its metrics and the
    gradient w.r.t. each sequence's log-prob (equal at every completion token, since the sequence
    log-prob is their sum) are TRL's. Reference log-probs enter precomputed (precompute_ref_logps).
  * SimPO: trl/experimental/cpo/cpo_trainer.py, CPOTrainer.cpo_loss with loss_type "simpo" on
    average log-probs, loss = losses.mean() (cpo_alpha 0, as get_batch_loss_metrics with SimPO).
  * DPO "sigmoid" with label_smoothing > 0: TRL 1.13 ignores label_smoothing for "sigmoid"; the
    specification blends the log-sigmoid terms (conservative DPO, TRL's sigmoid loss before 1.0).
    Those cases are computed with the formula below in torch, checked here against TRL 1.13's
    "aot_unpaired" loss with one pair per call (sorting one pair changes nothing, so it is the
    same blend).

Part 2, end to end (preference_logprobs.json): a few {prompt, chosen, rejected} records tokenized
as PreferenceDataset does (prompt + response + EOS text with the tokenizer's special tokens, the
prompt's own token count as prompt_length, TRL 0.x's max_length / max_prompt_length /
truncation_mode rule), and the summed log-prob of each response under the example model
(examples/models/tiny-chat) computed with transformers, one unpadded sequence at a time.

Usage (from the repository root, with trl 1.13 installed):  python trainers/src/test/python/make_dpo_fixtures.py
"""
import json
import os
from collections import defaultdict
from types import SimpleNamespace

import torch
import torch.nn.functional as F
import trl.trainer.dpo_trainer as dpo_module
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl.experimental.cpo.cpo_trainer import CPOTrainer
from trl.trainer.dpo_trainer import DPOTrainer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "trainers", "src", "test", "resources", "fixtures")
MODEL = os.path.join(ROOT, "examples", "models", "tiny-chat")
METRICS = ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
           "logps/rejected"]


def dpo_stub(loss_type, beta, label_smoothing):
    accelerator = SimpleNamespace(device=torch.device("cpu"), gather=lambda t: t, gather_for_metrics=lambda t: t,
                                  unwrap_model=lambda m: m)
    return SimpleNamespace(model=SimpleNamespace(training=True), accelerator=accelerator, aux_loss_enabled=False,
                           ld_alpha=None, precompute_ref_logps=True, f_divergence_type="reverse_kl",
                           loss_types=[loss_type], loss_weights=[1.0], beta=beta, label_smoothing=label_smoothing,
                           use_weighting=False, _metrics=defaultdict(lambda: defaultdict(list)),
                           _total_train_tokens=0, _tp_size=1)


def pair_inputs(seed, pairs, width):
    """Per-token log-probs [2B, T] (rows: chosen then rejected), completion masks, reference log-probs."""
    g = torch.Generator().manual_seed(seed)
    rows = 2 * pairs
    counts = torch.randint(1, width, (rows,), generator=g)
    mask = torch.zeros(rows, width, dtype=torch.long)
    for r in range(rows):
        mask[r, width - int(counts[r]):] = 1
    per_token = -torch.rand(rows, width, generator=g, dtype=torch.float64) * 3
    ref = (per_token * mask).sum(1) + torch.randn(rows, generator=g, dtype=torch.float64) * 2
    return per_token, mask, ref


def fake_logits(per_token):
    """[R, T, 1] "logits" whose entry t is the log-prob of token t + 1, as the patched selective_log_softmax reads them."""
    logits = torch.zeros(per_token.shape[0], per_token.shape[1], 1, dtype=torch.float64)
    logits[:, :-1, 0] = per_token[:, 1:]
    return logits


def trl_dpo(loss_type, beta, label_smoothing, per_token, mask, ref):
    rows, width = per_token.shape
    logits = fake_logits(per_token).requires_grad_(True)
    stub = dpo_stub(loss_type, beta, label_smoothing)
    ref_c, ref_r = ref.chunk(2)
    inputs = {"input_ids": torch.zeros(rows, width, dtype=torch.long), "attention_mask": torch.ones(rows, width),
              "completion_mask": mask, "ref_chosen_logps": ref_c, "ref_rejected_logps": ref_r}
    original = dpo_module.selective_log_softmax
    dpo_module.selective_log_softmax = lambda lg, ids: lg[..., 0].clone()
    try:
        loss = DPOTrainer._compute_loss(stub, lambda **kw: SimpleNamespace(logits=logits), inputs, False)
    finally:
        dpo_module.selective_log_softmax = original
    loss.backward()
    grad = logits.grad[:, -2, 0]  # scores the last token, a completion token of every row
    metrics = {k: stub._metrics["train"][k][0] for k in METRICS}
    return loss.item(), grad, metrics


def cdpo(beta, label_smoothing, per_token, mask, ref):
    logps = (per_token[:, 1:] * mask[:, 1:]).sum(1).detach().requires_grad_(True)
    c, r = logps.chunk(2)
    ref_c, ref_r = ref.chunk(2)
    delta = (c - ref_c) - (r - ref_r)
    per_pair = (-F.logsigmoid(beta * delta) * (1 - label_smoothing)
                - F.logsigmoid(-beta * delta) * label_smoothing)
    for i in range(len(delta)):  # the same blend as TRL 1.13's aot_unpaired on one pair
        one = lambda t: t[[i, len(delta) + i]]
        aot_stub = dpo_stub("aot_unpaired", beta, label_smoothing)
        sub_mask = one(mask)
        sub_logits = fake_logits(one(per_token))
        original = dpo_module.selective_log_softmax
        dpo_module.selective_log_softmax = lambda lg, ids: lg[..., 0].clone()
        try:
            aot = DPOTrainer._compute_loss(aot_stub, lambda **kw: SimpleNamespace(logits=sub_logits), {
                "input_ids": torch.zeros_like(sub_mask), "attention_mask": torch.ones_like(sub_mask),
                "completion_mask": sub_mask, "ref_chosen_logps": ref_c[i:i + 1],
                "ref_rejected_logps": ref_r[i:i + 1]}, False)
        finally:
            dpo_module.selective_log_softmax = original
        assert abs(aot.item() - per_pair[i].item()) < 1e-12, (aot.item(), per_pair[i].item())
    loss = per_pair.mean()
    loss.backward()
    rewards_c = beta * (c - ref_c).detach()
    rewards_r = beta * (r - ref_r).detach()
    metrics = {"rewards/chosen": rewards_c.mean().item(), "rewards/rejected": rewards_r.mean().item(),
               "rewards/accuracies": (rewards_c > rewards_r).double().mean().item(),
               "rewards/margins": (rewards_c - rewards_r).mean().item(), "logps/chosen": c.mean().item(),
               "logps/rejected": r.mean().item()}
    return loss.item(), logps.grad, metrics


def trl_simpo(beta, gamma, label_smoothing, avg):
    avg = avg.detach().requires_grad_(True)
    stub = SimpleNamespace(alpha=0.0, loss_type="simpo", beta=beta, simpo_gamma=gamma,
                           label_smoothing=label_smoothing, accelerator=SimpleNamespace(device=torch.device("cpu")))
    c, r = avg.chunk(2)
    losses, rewards_c, rewards_r = CPOTrainer.cpo_loss(stub, c, r)
    loss = losses.mean()
    loss.backward()
    metrics = {"rewards/chosen": rewards_c.mean().item(), "rewards/rejected": rewards_r.mean().item(),
               "rewards/accuracies": (rewards_c > rewards_r).double().mean().item(),
               "rewards/margins": (rewards_c - rewards_r).mean().item(), "logps/chosen": c.mean().item(),
               "logps/rejected": r.mean().item()}
    return loss.item(), avg.grad, metrics


def loss_cases():
    cases = []
    seed = 0
    dpo = [("sigmoid", 0.1, 0.0), ("sigmoid", 0.5, 0.0), ("sigmoid", 0.1, 0.2), ("hinge", 0.1, 0.0),
           ("hinge", 0.5, 0.0), ("ipo", 0.1, 0.0), ("ipo", 1.0, 0.0), ("robust", 0.1, 0.1),
           ("sppo_hard", 0.1, 0.0), ("apo_zero", 0.1, 0.0), ("apo_down", 0.1, 0.0)]
    for loss_type, beta, smoothing in dpo:
        seed += 1
        per_token, mask, ref = pair_inputs(seed, pairs=4, width=7)
        if loss_type == "sigmoid" and smoothing > 0:
            loss, grad, metrics = cdpo(beta, smoothing, per_token, mask, ref)
        else:
            loss, grad, metrics = trl_dpo(loss_type, beta, smoothing, per_token, mask, ref)
        logps = (per_token[:, 1:] * mask[:, 1:]).sum(1)
        cases.append({"method": "dpo", "loss_type": loss_type, "beta": beta, "label_smoothing": smoothing,
                      "logps": logps.tolist(), "ref_logps": ref.tolist(), "tokens": mask.sum(1).tolist(),
                      "loss": loss, "grad": grad.tolist(), "metrics": metrics})
    for beta, gamma, smoothing in [(2.0, 0.5, 0.0), (2.5, 1.4, 0.0), (0.1, 0.5, 0.15)]:
        seed += 1
        g = torch.Generator().manual_seed(seed)
        avg = -torch.rand(8, generator=g, dtype=torch.float64) * 3
        loss, grad, metrics = trl_simpo(beta, gamma, smoothing, avg)
        cases.append({"method": "simpo", "loss_type": "simpo", "beta": beta, "simpo_gamma": gamma,
                      "label_smoothing": smoothing, "logps": avg.tolist(), "loss": loss, "grad": grad.tolist(),
                      "metrics": metrics})
    return cases


RECORDS = [
    {"prompt": "Question: What is 2 plus 3?\nAnswer:", "chosen": " 2 plus 3 is 5.", "rejected": " 2 plus 3 is 6."},
    {"prompt": "Question: What is the capital of France?\nAnswer:", "chosen": " The capital of France is Paris.",
     "rejected": " Rome."},
    {"prompt": "Say hi.", "chosen": " Hi!", "rejected": " No, I will not say anything at all today."},
]
LENGTHS = [{"max_length": 1024, "max_prompt_length": 512, "truncation_mode": "keep_start"},
           {"max_length": 16, "max_prompt_length": 8, "truncation_mode": "keep_start"},
           {"max_length": 16, "max_prompt_length": 8, "truncation_mode": "keep_end"}]


def encode(tok, record, cfg):
    """prompt + response + EOS tokenized; TRL 0.x tokenize_row's truncation in token space."""
    prompt_ids = tok(record["prompt"])["input_ids"]
    full = {k: tok(record["prompt"] + record[k] + tok.eos_token)["input_ids"] for k in ("chosen", "rejected")}
    n = len(prompt_ids)
    prompt = {k: full[k][:n] for k in full}
    response = {k: full[k][n:] for k in full}
    longer = max(len(r) for r in response.values())
    if n + longer > cfg["max_length"]:
        m = cfg["max_prompt_length"]
        prompt = {k: (p[:m] if cfg["truncation_mode"] == "keep_start" else p[-m:]) for k, p in prompt.items()}
        n = min(n, m)
    if n + longer > cfg["max_length"]:
        response = {k: r[:cfg["max_length"] - cfg["max_prompt_length"]] for k, r in response.items()}
    return {k: prompt[k] + response[k] for k in full}, n


def sequence_logp(model, ids, prompt_length):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    logp = torch.log_softmax(logits[:-1], dim=-1).gather(1, torch.tensor(ids[1:]).unsqueeze(1))[:, 0]
    return logp[prompt_length - 1:].sum().item(), len(ids) - prompt_length


def logprob_cases():
    tok = AutoTokenizer.from_pretrained(MODEL)
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()
    out = []
    for cfg in LENGTHS:
        for record in RECORDS:
            ids, prompt_length = encode(tok, record, cfg)
            entry = {"record": record, "config": cfg, "prompt_length": prompt_length}
            for k in ("chosen", "rejected"):
                logp, count = sequence_logp(model, ids[k], prompt_length)
                entry[k] = {"input_ids": ids[k], "logp": logp, "tokens": count}
            out.append(entry)
    return out


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    for name, value in [("preference_losses.json", loss_cases()), ("preference_logprobs.json", logprob_cases())]:
        with open(os.path.join(FIXTURES, name), "w") as f:
            json.dump(value, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
