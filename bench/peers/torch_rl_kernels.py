#!/usr/bin/env python3
"""PyTorch peer of rlhf4j's CUDA RL kernels (CudaRlBench, CudaCopyBench); prints one JSON object.

Measures, with CUDA events, on the same sizes as the Java benchmarks:
  - log_softmax + gather forward and forward+backward over BF16 logits [rows, vocab], the way
    most RLHF code writes it (torch.log_softmax(logits, -1).gather(-1, ids)), in the logits'
    dtype and upcast to float32, with torch.cuda.max_memory_allocated() above the inputs;
  - GAE as TRL's PPOTrainer writes it: a Python loop over reversed(range(T)) (lastgaelam),
    reported per call and per element;
  - TRL GRPO's k3 per_token_kl = exp(ref - logp) - (ref - logp) - 1 with a masked mean;
  - a device-to-device copy (dst.copy_(src)) of the same size as CudaCopyBench, counting read +
    write bytes, so every figure can be put as a fraction of copy bandwidth.
Usage: python3 bench/peers/torch_rl_kernels.py [--out FILE] [--device cuda|cpu] [--small]
(--small shrinks every size so the script can be checked on a CPU.)
"""
import argparse
import json
import sys
import time

import torch


def timed(fn, device, reps, warmup=2):
    """Median milliseconds of fn() over reps runs (CUDA events on a GPU, perf_counter on a CPU)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


def peak_above(device, fn):
    """Peak bytes fn() allocates beyond what was allocated before it (CUDA only)."""
    if device.type != "cuda":
        return None
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    fn()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - base


def log_softmax_gather(device, rows, vocab, reps):
    g = torch.Generator(device=device).manual_seed(1)
    logits = (torch.randn(rows, vocab, device=device, generator=g) * 3).to(torch.bfloat16)
    ids = torch.randint(0, vocab, (rows, 1), device=device, generator=g)
    grad = torch.randn(rows, device=device, generator=g)
    out = {}
    for name, upcast in (("bf16", False), ("fp32_upcast", True)):
        def fwd():
            with torch.no_grad():
                x = logits.float() if upcast else logits
                return torch.log_softmax(x, dim=-1).gather(-1, ids).squeeze(-1)

        def fwd_bwd():
            leaf = logits.detach().requires_grad_(True)
            x = leaf.float() if upcast else leaf
            lp = torch.log_softmax(x, dim=-1).gather(-1, ids).squeeze(-1)
            lp.float().backward(grad)
            return leaf.grad

        bytes_fwd = rows * (vocab * 2 + 12)
        bytes_fb = rows * (3 * vocab * 2 + 28)
        ms_f = timed(fwd, device, reps)
        ms_fb = timed(fwd_bwd, device, reps)
        out[name] = {
            "forward_ms": ms_f, "forward_GB_per_s_at_minimum_traffic": bytes_fwd / ms_f / 1e6,
            "forward_backward_ms": ms_fb, "forward_backward_GB_per_s_at_minimum_traffic": bytes_fb / ms_fb / 1e6,
            "forward_peak_extra_bytes": peak_above(device, fwd),
            "forward_backward_peak_extra_bytes": peak_above(device, fwd_bwd),
        }
    out["logits_bytes"] = logits.numel() * logits.element_size()
    return out


def gae_trl(rewards, values, mask, gamma, lam):
    """TRL PPOTrainer's advantage loop (values and rewards masked first)."""
    values = values * mask
    rewards = rewards * mask
    gen_length = rewards.shape[1]
    lastgaelam = 0
    advantages_reversed = []
    for t in reversed(range(gen_length)):
        nextvalues = values[:, t + 1] if t < gen_length - 1 else 0.0
        delta = rewards[:, t] + gamma * nextvalues - values[:, t]
        lastgaelam = delta + gamma * lam * lastgaelam
        advantages_reversed.append(lastgaelam)
    advantages = torch.stack(advantages_reversed[::-1], axis=1)
    returns = advantages + values
    return advantages, returns


def gae(device, batch, length, reps):
    g = torch.Generator(device=device).manual_seed(2)
    rewards = torch.randn(batch, length, device=device, generator=g)
    values = torch.randn(batch, length, device=device, generator=g)
    mask = (torch.rand(batch, length, device=device, generator=g) < 0.9).float()
    ms = timed(lambda: gae_trl(rewards, values, mask, 0.99, 0.95), device, reps, warmup=1)
    n = batch * length
    return {"batch": batch, "len": length, "ms": ms, "ns_per_element": ms * 1e6 / n,
            "GB_per_s_at_minimum_traffic": 20 * n / ms / 1e6}


def k3(device, n, reps):
    g = torch.Generator(device=device).manual_seed(3)
    logp = torch.randn(n, device=device, generator=g)
    ref = torch.randn(n, device=device, generator=g)
    mask = torch.randn(n, device=device, generator=g)

    def fwd():
        d = ref - logp
        per_token_kl = torch.exp(d) - d - 1
        return (per_token_kl * mask).sum() / mask.sum().clamp(min=1.0)

    ms = timed(fwd, device, reps)
    return {"elements": n, "ms": ms, "GB_per_s_at_minimum_traffic": 12 * n / ms / 1e6,
            "peak_extra_bytes": peak_above(device, fwd)}


def copy(device, mib, reps):
    src = torch.zeros(mib << 20, dtype=torch.uint8, device=device)
    dst = torch.empty_like(src)
    ms = timed(lambda: dst.copy_(src), device, reps)
    return {"mib": mib, "ms": ms, "GB_per_s_read_plus_write": 2 * (mib << 20) / ms / 1e6}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--small", action="store_true", help="tiny sizes, to check the script on a CPU")
    ap.add_argument("--gae-len", type=int, default=2048)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    device = torch.device(args.device)
    if args.small:
        rows, vocab, gb, gl, kn, mib = 64, 1000, 64, 128, 1 << 16, 8
    else:
        rows, vocab, gb, gl, kn, mib = 8192, 151936, 4096, args.gae_len, 1 << 26, 1024
    result = {"torch": torch.__version__, "device": str(device),
              "device_name": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"}
    for name, fn in (("copy", lambda: copy(device, mib, args.reps)),
                     ("log_softmax_gather", lambda: log_softmax_gather(device, rows, vocab, args.reps)),
                     ("gae_trl_loop", lambda: gae(device, gb, gl, max(2, args.reps // 2))),
                     ("k3_masked_mean", lambda: k3(device, kn, args.reps))):
        try:
            result[name] = fn()
        except Exception as e:  # one failing part (e.g. out of memory) must not hide the others
            result[name] = {"error": f"{type(e).__name__}: {e}"}
        if device.type == "cuda":
            torch.cuda.empty_cache()
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0 if all("error" not in v for v in result.values() if isinstance(v, dict)) else 1


if __name__ == "__main__":
    sys.exit(main())
