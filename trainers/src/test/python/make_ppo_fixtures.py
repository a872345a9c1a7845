"""PPO fixtures: TRL's PPOTrainer.train() arithmetic on fixed tensors.

trl 1.13 ships no PPO trainer (its last one is trl/experimental/ppo/ppo_trainer.py of the
huggingface/trl repository, removed before 1.13), so the lines below are copied verbatim from that
file, which this script cannot import:
  - masked_mean, masked_var, masked_whiten (module level, top of the file);
  - train(): from "Response Processing 3" (contain_eos_token / missing_eos_penalty) to
    "6. compute advantages and returns" (GAE loop, returns, masked_whiten of the advantages);
  - train(): the PPO micro-batch body from `vpredclipped = torch.clamp(` to
    `loss = pg_loss + args.vf_coef * vf_loss`, and the no_grad statistics after it
    (pg_clipfrac, approxkl, ratio mean), and the logged objective/* metrics.
Everything runs in float64 (TRL's code is dtype-agnostic), so the Java side can compare to ~1e-12.

Run: /tmp/trlvenv/bin/python make_ppo_fixtures.py  (writes ../resources/fixtures/ppo_fixtures.json)
"""

import json
import os
from types import SimpleNamespace

import torch
import trl

assert trl.__version__ == "1.13.0", trl.__version__

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "ppo_fixtures.json")
INVALID_LOGPROB = 1.0
torch.set_default_dtype(torch.float64)


# ---- copied from trl/experimental/ppo/ppo_trainer.py (module level)
def masked_mean(values, mask, axis=None):
    if axis is not None:
        return (values * mask).sum(axis=axis) / mask.sum(axis=axis)
    else:
        return (values * mask).sum() / mask.sum()


def masked_var(values, mask, unbiased=True):
    mean = masked_mean(values, mask)
    centered_values = values - mean
    variance = masked_mean(centered_values**2, mask)
    if unbiased:
        mask_sum = mask.sum()
        bessel_correction = mask_sum / (mask_sum - 1)
        variance = variance * bessel_correction
    return variance


def masked_whiten(values, mask, shift_mean=True):
    mean, var = masked_mean(values, mask), masked_var(values, mask)
    whitened = (values - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        whitened += mean
    return whitened


def advantages_case(args, logprobs, ref_logprobs, values, scores, sequence_lengths, contain_eos_token):
    responses_width = logprobs.shape[1]
    scores = scores.clone()
    # ---- copied from PPOTrainer.train(), Response Processing 3 .. 6
    if args.missing_eos_penalty is not None:
        scores[~contain_eos_token] -= args.missing_eos_penalty
    response_idxs = torch.arange(responses_width).repeat(logprobs.shape[0], 1)
    padding_mask = response_idxs > sequence_lengths.unsqueeze(1)
    logprobs = torch.masked_fill(logprobs, padding_mask, INVALID_LOGPROB)
    ref_logprobs = torch.masked_fill(ref_logprobs, padding_mask, INVALID_LOGPROB)
    sequence_lengths_p1 = sequence_lengths + 1
    padding_mask_p1 = response_idxs > (sequence_lengths_p1.unsqueeze(1))
    values = torch.masked_fill(values, padding_mask_p1, 0)

    logr = ref_logprobs - logprobs
    kl = -logr if args.kl_estimator == "k1" else (logr.exp() - 1) - logr
    non_score_reward = -args.kl_coef * kl
    rewards = non_score_reward.clone()
    actual_start = torch.arange(rewards.size(0))
    actual_end = torch.where(sequence_lengths_p1 < rewards.size(1), sequence_lengths_p1, sequence_lengths)
    rewards[actual_start, actual_end] += scores

    if args.whiten_rewards:
        rewards = masked_whiten(rewards, mask=~padding_mask_p1, shift_mean=False)
        rewards = torch.masked_fill(rewards, padding_mask_p1, 0)

    lastgaelam = 0
    advantages_reversed = []
    gen_length = responses_width
    for t in reversed(range(gen_length)):
        nextvalues = values[:, t + 1] if t < gen_length - 1 else 0.0
        delta = rewards[:, t] + args.gamma * nextvalues - values[:, t]
        lastgaelam = delta + args.gamma * args.lam * lastgaelam
        advantages_reversed.append(lastgaelam)
    advantages = torch.stack(advantages_reversed[::-1], axis=1)
    returns = advantages + values
    advantages = masked_whiten(advantages, ~padding_mask)
    advantages = torch.masked_fill(advantages, padding_mask, 0)
    # ---- logged objective/* metrics (after the PPO epochs in train())
    mean_kl = kl.sum(1).mean()
    mean_entropy = (-logprobs).sum(1).mean()
    mean_non_score_reward = non_score_reward.sum(1).mean()
    rlhf_reward = mean_non_score_reward + scores.mean()
    return dict(
        logprobs=logprobs, values=values, padding_mask=padding_mask, padding_mask_p1=padding_mask_p1,
        kl=kl, rewards=rewards, advantages=advantages, returns=returns, scores=scores,
        metrics={"objective/kl": mean_kl.item(), "objective/entropy": mean_entropy.item(),
                 "objective/non_score_reward": mean_non_score_reward.item(),
                 "objective/rlhf_reward": rlhf_reward.item(), "objective/scores": scores.mean().item()})


def loss_case(args, new_logprobs_raw, vpred_raw, mb_logprobs, mb_advantage, mb_return, mb_values, padding_mask,
              padding_mask_p1):
    new_logprobs_leaf = new_logprobs_raw.clone().requires_grad_(True)
    vpred_leaf = vpred_raw.clone().requires_grad_(True)
    # ---- copied from PPOTrainer.train(), the micro-batch body
    new_logprobs = torch.masked_fill(new_logprobs_leaf, padding_mask, INVALID_LOGPROB)
    vpred = torch.masked_fill(vpred_leaf, padding_mask_p1, 0)
    vpredclipped = torch.clamp(
        vpred,
        mb_values - args.cliprange_value,
        mb_values + args.cliprange_value,
    )
    vf_losses1 = torch.square(vpred - mb_return)
    vf_losses2 = torch.square(vpredclipped - mb_return)
    vf_loss_max = torch.max(vf_losses1, vf_losses2)
    vf_loss = 0.5 * masked_mean(vf_loss_max, ~padding_mask_p1)
    vf_clipfrac = masked_mean((vf_losses2 > vf_losses1).float(), ~padding_mask_p1)
    logprobs_diff = new_logprobs - mb_logprobs
    ratio = torch.exp(logprobs_diff)
    pg_losses = -mb_advantage * ratio
    pg_losses2 = -mb_advantage * torch.clamp(ratio, 1.0 - args.cliprange, 1.0 + args.cliprange)
    pg_loss_max = torch.max(pg_losses, pg_losses2)
    pg_loss = masked_mean(pg_loss_max, ~padding_mask)
    loss = pg_loss + args.vf_coef * vf_loss
    loss.backward()
    with torch.no_grad():
        pg_clipfrac = masked_mean((pg_losses2 > pg_losses).float(), ~padding_mask)
        approxkl = 0.5 * (logprobs_diff**2).mean()
    return dict(loss=loss.item(), pg_loss=pg_loss.item(), vf_loss=vf_loss.item(), pg_clipfrac=pg_clipfrac.item(),
                vf_clipfrac=vf_clipfrac.item(), approxkl=approxkl.item(), ratio_mean=ratio.mean().item(),
                grad_logprobs=new_logprobs_leaf.grad, grad_values=vpred_leaf.grad)


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def case(seed, rows, cols, seq_lengths, eos, **kw):
    g = torch.Generator().manual_seed(seed)
    args = SimpleNamespace(kl_coef=0.05, kl_estimator="k1", whiten_rewards=False, gamma=1.0, lam=0.95,
                           missing_eos_penalty=None, cliprange=0.2, cliprange_value=0.2, vf_coef=0.1)
    for k, v in kw.items():
        setattr(args, k, v)
    logprobs = -torch.rand(rows, cols, generator=g) * 3
    ref_logprobs = logprobs + torch.randn(rows, cols, generator=g) * 0.3
    values = torch.randn(rows, cols, generator=g)
    scores = torch.randn(rows, generator=g) * 2
    seq = torch.tensor(seq_lengths)
    contain = torch.tensor(eos)
    a = advantages_case(args, logprobs, ref_logprobs, values, scores, seq, contain)
    new_logprobs = logprobs + torch.randn(rows, cols, generator=g) * 0.25
    vpred = values + torch.randn(rows, cols, generator=g) * 0.4
    l = loss_case(args, new_logprobs, vpred, a["logprobs"], a["advantages"], a["returns"], a["values"],
                  a["padding_mask"], a["padding_mask_p1"])
    return {
        "name": f"seed{seed}_{args.kl_estimator}_whiten{args.whiten_rewards}_eos{args.missing_eos_penalty}",
        "rows": rows, "cols": cols, "args": vars(args),
        "logprobs": flat(logprobs), "ref_logprobs": flat(ref_logprobs), "values": flat(values),
        "scores": flat(scores), "sequence_lengths": seq_lengths, "contain_eos": eos,
        "expected": {
            "logprobs": flat(a["logprobs"]), "values": flat(a["values"]), "kl": flat(a["kl"]),
            "rewards": flat(a["rewards"]), "advantages": flat(a["advantages"]), "returns": flat(a["returns"]),
            "scores": flat(a["scores"]), "metrics": a["metrics"],
        },
        "new_logprobs": flat(new_logprobs), "vpred": flat(vpred),
        "loss": {k: (flat(v) if torch.is_tensor(v) else v) for k, v in l.items()},
    }


def main():
    cases = [
        case(1, 4, 6, [2, 5, 0, 3], [True, False, True, True]),
        case(2, 4, 6, [2, 5, -1, 4], [True, True, False, True], kl_estimator="k3", missing_eos_penalty=1.0),
        case(3, 5, 7, [6, 1, 3, 4, 2], [False, True, True, True, True], whiten_rewards=True, gamma=0.9,
             lam=0.8, kl_coef=0.2),
        case(4, 3, 5, [4, 4, 2], [True, True, True], kl_estimator="k3", whiten_rewards=True, cliprange=0.1,
             cliprange_value=0.05, vf_coef=0.5),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"trl": trl.__version__, "torch": torch.__version__, "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
