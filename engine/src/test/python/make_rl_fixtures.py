"""Reference numbers for the RL CPU twins (io.rlhf4j.engine.rl), written the way TRL writes them.

Run from the repository root:  python3 engine/src/test/python/make_rl_fixtures.py
Writes engine/src/test/resources/rl/*.json. Everything is float64; gradients come from
torch.autograd, so they are independent of the hand-derived gradients in the Java code.
The loops below follow TRL: PPOTrainer.loss (GAE, the `lastgaelam` loop), GRPOTrainer
(group advantages with scale_rewards, per_token_kl, the clipped loss as -min(coef_1*A, coef_2*A)),
and the masked mean `(x * mask).sum() / mask.sum().clamp(min=1.0)`.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "rl")
torch.manual_seed(20240607)
DT = torch.float64


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
    print("wrote", os.path.normpath(path))


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def masked_mean(x, mask):
    return (x * mask).sum() / mask.sum().clamp(min=1.0)


def trl_gae(rewards, values, mask, gamma, lam):
    # TRL PPOTrainer.loss
    lastgaelam = 0
    advantages_reversed = []
    gen_len = rewards.shape[-1]
    values = values * mask
    rewards = rewards * mask
    for t in reversed(range(gen_len)):
        nextvalues = values[:, t + 1] if t < gen_len - 1 else 0.0
        delta = rewards[:, t] + gamma * nextvalues - values[:, t]
        lastgaelam = delta + gamma * lam * lastgaelam
        advantages_reversed.append(lastgaelam)
    advantages = torch.stack(advantages_reversed[::-1]).transpose(0, 1)
    returns = advantages + values
    return advantages, returns


def gae_fixture():
    b, t = 4, 9
    rewards = torch.randn(b, t, dtype=DT)
    values = torch.randn(b, t, dtype=DT)
    mask = torch.ones(b, t, dtype=DT)
    mask[1, 6:] = 0          # trailing padding
    mask[2, :3] = 0          # leading (query) positions
    mask[2, 7:] = 0
    mask[3, 4] = 0           # a hole inside the response
    cases = []
    for gamma, lam in [(0.99, 0.95), (1.0, 1.0), (0.9, 0.0)]:
        adv, ret = trl_gae(rewards, values, mask, gamma, lam)
        cases.append({"gamma": gamma, "lambda": lam, "advantages": flat(adv), "returns": flat(ret)})
    dump("gae.json", {"batch": b, "len": t, "rewards": flat(rewards), "values": flat(values),
                      "mask": flat(mask), "cases": cases})


def kl_fixture():
    n = 30
    logp = (torch.rand(n, dtype=DT) * -4.0)
    ref = logp + torch.randn(n, dtype=DT) * 0.7
    mask = (torch.rand(n, dtype=DT) > 0.3).to(DT)
    out = {"logp": flat(logp), "ref": flat(ref), "mask": flat(mask), "kinds": {}}
    for kind in ["K1", "K2", "K3"]:
        lp = logp.clone().requires_grad_(True)
        if kind == "K1":
            per_token = lp - ref
        elif kind == "K2":
            per_token = 0.5 * (lp - ref) ** 2
        else:
            # TRL GRPOTrainer
            per_token = torch.exp(ref - lp) - (ref - lp) - 1
        mean = masked_mean(per_token, mask)
        mean.backward()
        out["kinds"][kind] = {"per_token": flat(per_token), "masked_mean": float(mean.detach()),
                              "grad_logp": flat(lp.grad)}
    dump("kl.json", out)


def grpo_advantages(rewards, num_generations, scale_rewards):
    # TRL GRPOTrainer._generate_and_score_completions
    mean_grouped_rewards = rewards.view(-1, num_generations).mean(dim=1)
    mean_grouped_rewards = mean_grouped_rewards.repeat_interleave(num_generations, dim=0)
    if scale_rewards in ["group", "none"]:
        if num_generations > 1:
            std_rewards = rewards.view(-1, num_generations).std(dim=1)
            std_rewards = std_rewards.repeat_interleave(num_generations, dim=0)
        else:
            std_rewards = torch.zeros_like(rewards)
    elif scale_rewards == "batch":
        std_rewards = rewards.std().expand_as(rewards) if rewards.numel() > 1 else torch.zeros_like(rewards)
    advantages = rewards - mean_grouped_rewards
    if scale_rewards != "none":
        advantages = advantages / (std_rewards + 1e-4)
    return advantages


def grpo_fixture():
    g = 6
    rewards = torch.randn(4 * g, dtype=DT)
    rewards[g:2 * g] = 0.5                         # a group with identical rewards: std 0
    rewards[2 * g:3 * g] = (torch.rand(g, dtype=DT) > 0.5).to(DT)   # 0/1 correctness rewards
    out = {"group_size": g, "rewards": flat(rewards), "scales": {}}
    for scale in ["group", "batch", "none"]:
        out["scales"][scale.upper()] = flat(grpo_advantages(rewards, g, scale))
    out["single_group_size_rewards"] = flat(rewards[:5])
    out["single_group_size_group"] = flat(grpo_advantages(rewards[:5], 1, "group"))
    dump("grpo_advantages.json", out)


def ppo_case(logp, old, adv, mask, eps_low, eps_high, per_sequence):
    lp = logp.clone().requires_grad_(True)
    a = adv.unsqueeze(1) if per_sequence else adv
    coef_1 = torch.exp(lp - old)
    coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
    per_token_loss1 = coef_1 * a
    per_token_loss2 = coef_2 * a
    per_token_loss = -torch.min(per_token_loss1, per_token_loss2)
    loss = masked_mean(per_token_loss, mask)
    loss.backward()
    return {"eps_low": eps_low, "eps_high": eps_high, "per_sequence": per_sequence,
            "adv": flat(adv), "per_token": flat(per_token_loss), "loss": float(loss.detach()),
            "grad_logp": flat(lp.grad)}


def ppo_fixture():
    b, t = 4, 8
    old = torch.rand(b, t, dtype=DT) * -3.0
    logp = old + torch.randn(b, t, dtype=DT) * 0.3   # ratios from about 0.4 to 2.5: many clip
    mask = torch.ones(b, t, dtype=DT)
    mask[0, 5:] = 0
    mask[3, 2:] = 0
    adv_token = torch.randn(b, t, dtype=DT)
    adv_seq = torch.randn(b, dtype=DT)
    cases = [ppo_case(logp, old, adv_token, mask, 0.2, 0.2, False),
             ppo_case(logp, old, adv_seq, mask, 0.2, 0.28, True)]
    dump("ppo_clip.json", {"batch": b, "len": t, "logp": flat(logp), "old_logp": flat(old),
                           "mask": flat(mask), "cases": cases})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__)
    gae_fixture()
    kl_fixture()
    grpo_fixture()
    ppo_fixture()
