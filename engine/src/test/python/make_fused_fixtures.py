"""Writes reference inputs, outputs and gradients of the fused ops, computed by torch (and by
transformers' Llama modules for RMSNorm and RoPE), to engine/src/test/resources/fused/*.json.

Run from the repository root:  python3 engine/src/test/python/make_fused_fixtures.py
Each file maps a case name to named entries: tensors as {"shape", "dtype", "data"} (data as
shortest decimals of the F32 values, row-major) and plain numbers/booleans for parameters.
The Java tests (io.rlhf4j.engine.ops.fused.*) read these files; CI never runs this script.
"""
import json
import os

import torch
import torch.nn.functional as F
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRMSNorm, LlamaRotaryEmbedding, apply_rotary_pos_emb

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fused")
NAMES = {torch.float32: "F32", torch.float64: "F64", torch.bfloat16: "BF16", torch.int64: "I64", torch.bool: "BOOL"}


def t(x):
    x = x.detach()
    if x.dtype in (torch.int64, torch.bool):
        data = x.to(torch.int64).reshape(-1).tolist()
    else:
        # the shortest decimal that reads back as the same F32 (BF16 values are exact F32 values)
        data = [float(str(v)) for v in x.to(torch.float32).reshape(-1).numpy()]
    return {"shape": list(x.shape), "dtype": NAMES[x.dtype], "data": data}


def write(name, cases):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(cases, f, allow_nan=True)


def leaf(x):
    return x.detach().clone().requires_grad_(True)


def rms_norm():
    cases = {}
    torch.manual_seed(1)
    for name, shape, with_weight, dtype in [("f32_weight", (3, 5, 16), True, torch.float32),
                                            ("f32_no_weight", (4, 24), False, torch.float32),
                                            ("bf16_weight", (4, 32), True, torch.bfloat16)]:
        dim = shape[-1]
        eps = 1e-6
        x = leaf(torch.randn(shape).to(dtype) * 2)
        module = LlamaRMSNorm(dim, eps=eps).to(dtype)
        if with_weight:
            with torch.no_grad():
                module.weight.copy_((1 + 0.5 * torch.randn(dim)).to(dtype))
            y = module(x)
        else:
            # HF's norm without the affine weight (Qwen3/OLMo style q/k norms take a weight; this checks the core)
            h = x.to(torch.float32)
            y = (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)).to(dtype)
        g = torch.randn(shape).to(dtype)
        y.backward(g)
        case = {"x": t(x), "y": t(y), "g": t(g), "dx": t(x.grad), "eps": eps}
        if with_weight:
            case["weight"] = t(module.weight)
            case["dweight"] = t(module.weight.grad)
        cases[name] = case
    write("rms_norm.json", cases)


def layer_norm():
    cases = {}
    torch.manual_seed(2)
    for name, weight, bias in [("affine", True, True), ("weight_only", True, False), ("plain", False, False)]:
        shape = (2, 3, 20)
        x = leaf(torch.randn(shape) * 3 + 1)
        w = leaf(1 + 0.3 * torch.randn(20)) if weight else None
        b = leaf(0.5 * torch.randn(20)) if bias else None
        y = F.layer_norm(x, (20,), w, b, eps=1e-5)
        g = torch.randn(shape)
        y.backward(g)
        case = {"x": t(x), "y": t(y), "g": t(g), "dx": t(x.grad), "eps": 1e-5}
        if weight:
            case["weight"] = t(w)
            case["dweight"] = t(w.grad)
        if bias:
            case["bias"] = t(b)
            case["dbias"] = t(b.grad)
        cases[name] = case
    write("layer_norm.json", cases)


def rope():
    torch.manual_seed(3)
    batch, heads, seq, dim, theta = 2, 3, 5, 8, 10000.0
    config = LlamaConfig(hidden_size=dim * heads, num_attention_heads=heads, head_dim=dim, rope_theta=theta,
                         max_position_embeddings=4096)
    rotary = LlamaRotaryEmbedding(config)
    positions = torch.tensor([[0, 1, 2, 3, 4], [7, 8, 100, 1000, 2047]])
    x = leaf(torch.randn(batch, heads, seq, dim))
    cos, sin = rotary(x, positions)
    y, _ = apply_rotary_pos_emb(x, x.detach(), cos, sin)
    g = torch.randn(batch, heads, seq, dim)
    y.backward(g)
    write("rope.json", {"hf": {"positions": t(positions), "theta": theta, "x": t(x), "cos": t(cos), "sin": t(sin),
                               "y": t(y), "g": t(g), "dx": t(x.grad)}})


def attention():
    cases = {}
    torch.manual_seed(4)

    def case(name, b, hq, hkv, tq, s, d, causal, pad_lengths, scale=None):
        q = leaf(torch.randn(b, hq, tq, d))
        k = leaf(torch.randn(b, hkv, s, d))
        v = leaf(torch.randn(b, hkv, s, d))
        keep = torch.ones(b, s, dtype=torch.bool)
        for i, n in enumerate(pad_lengths):
            if n:
                keep[i, s - n:] = False
        allowed = keep[:, None, None, :].expand(b, 1, tq, s)
        if causal:
            # bottom-right aligned causal diagonal: query i sees keys j <= i + (s - tq)
            allowed = allowed & torch.ones(tq, s, dtype=torch.bool).tril(diagonal=s - tq)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=scale, enable_gqa=True)
        g = torch.randn_like(y)
        y.backward(g)
        entry = {"q": t(q), "k": t(k), "v": t(v), "mask": t(keep.to(torch.int64)), "causal": causal,
                 "y": t(y), "g": t(g), "dq": t(q.grad), "dk": t(k.grad), "dv": t(v.grad)}
        if scale is not None:
            entry["scale"] = scale
        if causal and tq == s and not any(pad_lengths):
            entry["y_is_causal"] = t(F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True))
        cases[name] = entry

    case("gqa_causal", 2, 4, 2, 6, 6, 8, True, [0, 0])
    case("gqa_causal_padding", 2, 2, 1, 70, 70, 4, True, [0, 9])
    case("cross_length_causal", 1, 2, 1, 3, 7, 4, True, [0])
    case("cross_length_padding_scaled", 2, 2, 2, 5, 9, 4, False, [3, 0], scale=0.3)
    write("attention.json", cases)


def cross_entropy():
    cases = {}
    torch.manual_seed(5)
    logits = torch.randn(6, 11) * 2
    targets = torch.tensor([3, -100, 10, 0, -100, 7])
    for reduction in ["mean", "sum", "none"]:
        for smoothing in [0.0, 0.1]:
            x = leaf(logits)
            y = F.cross_entropy(x, targets, ignore_index=-100, reduction=reduction, label_smoothing=smoothing)
            g = torch.randn_like(y) if reduction == "none" else torch.tensor(1.7)
            y.backward(g)
            cases[f"{reduction}_{smoothing}"] = {"logits": t(x), "targets": t(targets), "reduction": reduction,
                                                 "smoothing": smoothing, "y": t(y), "g": t(g), "dlogits": t(x.grad)}
    all_ignored = F.cross_entropy(logits[:2], torch.tensor([-100, -100]))
    cases["all_ignored_mean"] = {"logits": t(logits[:2]), "targets": t(torch.tensor([-100, -100])),
                                 "reduction": "mean", "smoothing": 0.0, "y": t(all_ignored)}
    write("cross_entropy.json", cases)


def log_softmax_gather():
    cases = {}
    torch.manual_seed(6)
    for name, dtype, vocab in [("f32", torch.float32, 17), ("f32_multi_chunk", torch.float32, 4500),
                               ("bf16", torch.bfloat16, 300)]:
        lead = (1, 2) if vocab > 1000 else (2, 3)
        logits = leaf((torch.randn(*lead, vocab) * 4).to(dtype))
        ids = torch.randint(0, vocab, lead)
        # computed in F32 from the stored values, as the kernel does for BF16 logits
        y = torch.log_softmax(logits.float(), dim=-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)
        g = torch.randn(lead)
        y.backward(g)
        cases[name] = {"logits": t(logits), "ids": t(ids), "y": t(y), "g": t(g), "dlogits": t(logits.grad)}
    write("log_softmax_gather.json", cases)


if __name__ == "__main__":
    rms_norm()
    layer_norm()
    rope()
    attention()
    cross_entropy()
    log_softmax_gather()
