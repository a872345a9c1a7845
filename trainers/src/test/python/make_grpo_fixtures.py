"""GRPO loss and advantage fixtures computed by trl 1.13 itself.

Loss: fixed per-token tensors (policy, old and reference log-probabilities, advantages, completion
mask) go through trl's own GRPOTrainer._compute_loss, called unbound on a stand-in `self` that
carries the attributes the method reads and whose _get_per_token_logps_and_entropies returns the
fixed policy log-probabilities (a leaf requiring grad). The fixture records the loss and its
gradient with respect to those log-probabilities for each loss_type, with and without the KL term,
and the kl / clip_ratio metrics trl logs.

Advantages: rewards per function go through the "sum_then_normalize" lines of
GRPOTrainer._generate_and_score_completions (trl/trainer/grpo_trainer.py, trl 1.13, lines
2786-2815), copied below because they sit inside the generation method; nanstd is trl's own.

Run: python make_grpo_fixtures.py  (writes ../resources/fixtures/grpo_fixtures.json)
"""

import json
import os
import types
from collections import defaultdict

import torch
import trl
from trl.trainer.grpo_trainer import GRPOTrainer
from trl.trainer.utils import nanstd

assert trl.__version__ == "1.13.0", trl.__version__

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "grpo_fixtures.json")


class IdentityAccelerator:
    num_processes = 1

    def reduce(self, t, reduction="sum"):
        return t

    def gather(self, t):
        return t

    def gather_for_metrics(self, t):
        return t


def stand_in(loss_type, beta, eps_low, eps_high, accumulation, max_completion_length, logps):
    args = types.SimpleNamespace(use_bias_correction_kl=False, delta=None, steps_per_generation=accumulation)
    s = types.SimpleNamespace(
        args=args, loss_type=loss_type, beta=beta, epsilon_low=eps_low, epsilon_high=eps_high,
        importance_sampling_level="token", top_entropy_quantile=1.0, off_policy_mask_threshold=None,
        use_vllm=False, vllm_importance_sampling_correction=False, model=types.SimpleNamespace(training=True),
        current_gradient_accumulation_steps=accumulation, max_completion_length=max_completion_length,
        accelerator=IdentityAccelerator(), _entropy_bonus_enabled=False, aux_loss_enabled=False,
        _metrics={"train": defaultdict(list), "eval": defaultdict(list)})
    s._get_per_token_logps_and_entropies = lambda *a, **k: (logps, torch.zeros_like(logps), None)
    return s


def loss_case(name, seed, rows, cols, loss_type, beta, eps_low, eps_high, accumulation, window_tokens,
              max_completion_length, with_old):
    g = torch.Generator().manual_seed(seed)
    logp = -torch.rand(rows, cols, generator=g, dtype=torch.float64) * 3
    old = logp + (torch.rand(rows, cols, generator=g, dtype=torch.float64) - 0.5) * 0.8
    ref = logp + (torch.rand(rows, cols, generator=g, dtype=torch.float64) - 0.5) * 1.0
    adv = torch.randn(rows, generator=g, dtype=torch.float64)
    lengths = torch.randint(1, cols + 1, (rows,), generator=g)
    mask = (torch.arange(cols).unsqueeze(0) < lengths.unsqueeze(1)).to(torch.int64)
    leaf = logp.clone().requires_grad_(True)
    s = stand_in(loss_type, beta, eps_low, eps_high, accumulation, max_completion_length, leaf)
    inputs = {
        "prompt_ids": torch.zeros(rows, 1, dtype=torch.int64),
        "prompt_mask": torch.ones(rows, 1, dtype=torch.int64),
        "completion_ids": torch.zeros(rows, cols, dtype=torch.int64),
        "completion_mask": mask,
        "advantages": adv,
        "old_per_token_logps": old if with_old else None,
        "ref_per_token_logps": ref if beta != 0 else None,
        "num_items_in_batch": torch.tensor(float(window_tokens)),
    }
    loss = GRPOTrainer._compute_loss(s, None, inputs)
    loss.backward()
    metrics = {k: v[-1] for k, v in s._metrics["train"].items()}
    return {
        "name": name, "loss_type": loss_type, "beta": beta, "epsilon_low": eps_low, "epsilon_high": eps_high,
        "accumulation": accumulation, "window_tokens": window_tokens,
        "max_completion_length": max_completion_length, "rows": rows, "cols": cols,
        "logp": logp.flatten().tolist(), "old_logp": old.flatten().tolist() if with_old else None,
        "ref_logp": ref.flatten().tolist(), "advantages": adv.tolist(), "mask": mask.flatten().tolist(),
        "loss": loss.item(), "grad": leaf.grad.flatten().tolist(),
        "kl": metrics.get("kl"), "clip_low": metrics["clip_ratio/low_mean"],
        "clip_high": metrics["clip_ratio/high_mean"], "clip_region": metrics["clip_ratio/region_mean"],
    }


def advantages(rewards_per_func, weights, num_generations, scale_rewards):
    """trl 1.13 grpo_trainer.py lines 2786-2815 (multi_objective_aggregation = "sum_then_normalize")."""
    reward_weights = torch.tensor(weights, dtype=torch.float32)
    unscorable_mask = torch.isnan(rewards_per_func).all(dim=1)
    rewards = (rewards_per_func * reward_weights.unsqueeze(0)).nansum(dim=1)
    rewards[unscorable_mask] = torch.nan
    mean_grouped_rewards = torch.nanmean(rewards.view(-1, num_generations), dim=1)
    mean_grouped_rewards = mean_grouped_rewards.repeat_interleave(num_generations, dim=0)
    if scale_rewards in ["group", "none"]:
        std_rewards = nanstd(rewards.view(-1, num_generations), dim=1)
        std_rewards = std_rewards.repeat_interleave(num_generations, dim=0)
    else:
        std_rewards = nanstd(rewards).expand_as(rewards)
    adv = rewards - mean_grouped_rewards
    if scale_rewards != "none":
        adv = adv / (std_rewards + 1e-4)
    is_std_zero = torch.isclose(std_rewards, torch.zeros_like(std_rewards))
    adv = torch.nan_to_num(adv, nan=0.0)
    return adv, rewards, is_std_zero


def main():
    cases = []
    seed = 0
    for loss_type in ["grpo", "bnpo", "dr_grpo", "dapo"]:
        for beta in [0.0, 0.04]:
            for eps_high in [0.2, 0.28]:
                seed += 1
                cases.append(loss_case(f"{loss_type}_beta{beta}_eh{eps_high}", seed, 4, 6, loss_type, beta, 0.2,
                                       eps_high, 2, 37, 8, True))
    cases.append(loss_case("grpo_on_policy", 99, 3, 5, "grpo", 0.04, 0.2, 0.2, 1, 0, 5, False))

    g = torch.Generator().manual_seed(7)
    per_func = torch.rand(8, 2, generator=g)
    per_func[2:4, 0] = 1.0  # a group whose weighted sum still varies; a zero-std group below
    per_func[4:8, :] = 0.5
    weights = [1.0, 0.5]
    adv_cases = []
    for scale in ["group", "batch", "none"]:
        adv, rewards, zero = advantages(per_func, weights, 4, scale)
        adv_cases.append({"scale_rewards": scale, "advantages": adv.tolist(), "rewards": rewards.tolist(),
                          "frac_reward_zero_std": zero.float().mean().item()})
    out = {"trl": trl.__version__, "torch": torch.__version__, "loss": cases,
           "advantage": {"rewards_per_func": per_func.tolist(), "weights": weights, "num_generations": 4,
                         "cases": adv_cases}}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", OUT, len(cases), "loss cases")


if __name__ == "__main__":
    main()
