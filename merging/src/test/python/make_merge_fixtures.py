"""Reference outputs for the merging module's tests, computed by PEFT's merge_utils and torch.

Run from the repository root (needs torch, transformers and peft from the wheel mirror):

    python merging/src/test/python/make_merge_fixtures.py
        # writes merge_utils.safetensors and the tiny models under models/
    python merging/src/test/python/make_merge_fixtures.py --check-java-saved
        # loads the model rlhf4j merged under models/java_saved/ties in transformers, compares its
        # logits with those of the model PEFT's ties merge gives; writes java_saved/check.txt

merge_utils.safetensors (all float32) holds small random state dicts and what peft.utils.merge_utils
returns for their task vectors (delta_i = model_i - base, per tensor):
  base.<p>, model<i>.<p>                      the inputs (p in a, b, c, colinear; i in 0, 1, 2)
  task_arithmetic.<p>                         task_arithmetic(deltas, WEIGHTS)
  magnitude_prune.d<D>.<p>                    magnitude_prune(deltas, WEIGHTS, D)
  ties.d<D>.<method>.<p>                      ties(deltas, WEIGHTS, D, method)
  dare_linear.d<D>.<p>, dare_ties.d<D>.total.<p>
                                              dare_linear / dare_ties with the Bernoulli masks
                                              mask.d<D>.model<i>.<p> (torch.bernoulli is replaced by
                                              a function returning those masks, so PEFT's own code
                                              runs on known masks)
  slerp.t<T>.<p>                              mergekit's slerp(T, base, model0) (written out below)
The weights are in the metadata ("weights").

models/: tiny Llama models llama_base, llama_ft1, llama_ft2 (base plus small noise) and GPT-2
models gpt2_a, gpt2_b; models/ties_reference.safetensors holds the state dict
base + ties(deltas of ft1 and ft2, [0.6, 0.4], 0.5, "total") and the logits of that merged model
(input_ids, attention_mask, logits).
"""

import argparse
import math
import os
import sys

import torch
import transformers
from peft.utils import merge_utils
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources")
MODELS = os.path.join(ROOT, "models")
WEIGHTS = [0.7, 0.5, -0.3]
SHAPES = {"a": (4, 6), "b": (10,), "c": (3, 2, 5), "colinear": (2, 8)}
DENSITIES = [0.3, 0.6]
DARE_DENSITY = 0.5
SLERP_TS = [0.3, 0.7]
TIES_MODEL_WEIGHTS = [0.6, 0.4]


def slerp(t, v0, v1, dot_threshold=0.9995, eps=1e-8):
    """mergekit's merge_methods/slerp.py slerp, in torch float64 on the flattened tensors."""
    a = v0.double()
    b = v1.double()
    na, nb = a.norm(), b.norm()
    ua = a / na if na > eps else a
    ub = b / nb if nb > eps else b
    dot = (ua * ub).sum()
    if dot.abs() > dot_threshold:
        return ((1 - t) * a + t * b).float()
    theta_0 = math.acos(dot.item())
    sin_theta_0 = math.sin(theta_0)
    theta_t = theta_0 * t
    s0 = math.sin(theta_0 - theta_t) / sin_theta_0
    s1 = math.sin(theta_t) / sin_theta_0
    return (s0 * a + s1 * b).float()


def merge_utils_fixtures():
    g = torch.Generator().manual_seed(7)
    out = {}
    base = {p: torch.randn(s, generator=g) for p, s in SHAPES.items()}
    models = []
    for i in range(3):
        m = {p: base[p] + torch.randn(s, generator=g) * 0.1 for p, s in SHAPES.items()}
        models.append(m)
    # colinear with the base in model0: slerp falls back to linear interpolation
    models[0]["colinear"] = base["colinear"] * 1.5
    for p in SHAPES:
        out["base." + p] = base[p]
        for i, m in enumerate(models):
            out[f"model{i}.{p}"] = m[p]
    weights = torch.tensor(WEIGHTS)
    for p in SHAPES:
        deltas = [m[p] - base[p] for m in models]
        out["task_arithmetic." + p] = merge_utils.task_arithmetic(deltas, weights)
        for d in DENSITIES:
            out[f"magnitude_prune.d{d}.{p}"] = merge_utils.magnitude_prune(deltas, weights, d)
            for method in ("total", "frequency"):
                out[f"ties.d{d}.{method}.{p}"] = merge_utils.ties(deltas, weights, d, method)
        masks = [torch.bernoulli(torch.full_like(x, DARE_DENSITY), generator=g) for x in deltas]
        for i, mask in enumerate(masks):
            out[f"mask.d{DARE_DENSITY}.model{i}.{p}"] = mask
        out[f"dare_linear.d{DARE_DENSITY}.{p}"] = with_masks(masks, lambda: merge_utils.dare_linear(
            deltas, weights, DARE_DENSITY))
        out[f"dare_ties.d{DARE_DENSITY}.total.{p}"] = with_masks(masks, lambda: merge_utils.dare_ties(
            deltas, weights, DARE_DENSITY, "total"))
        for t in SLERP_TS:
            out[f"slerp.t{t}.{p}"] = slerp(t, base[p], models[0][p])
    out = {k: v.float().contiguous() for k, v in out.items()}
    save_file(out, os.path.join(ROOT, "merge_utils.safetensors"), metadata={
        "generator": versions(), "weights": str(WEIGHTS)})
    print(f"merge_utils.safetensors: {len(out)} tensors")


def with_masks(masks, merge):
    """Runs merge with torch.bernoulli (as merge_utils calls it) returning the given masks in order."""
    queue = list(masks)
    original = merge_utils.torch.bernoulli
    merge_utils.torch.bernoulli = lambda _probs: queue.pop(0)
    try:
        return merge()
    finally:
        merge_utils.torch.bernoulli = original


def versions():
    import peft
    return f"peft {peft.__version__}, transformers {transformers.__version__}, torch {torch.__version__}"


def tiny_models():
    torch.manual_seed(11)
    llama = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                        tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, bos_token_id=None)
    base = LlamaForCausalLM(llama).eval()
    base.save_pretrained(os.path.join(MODELS, "llama_base"))
    fts = []
    for k in (1, 2):
        ft = LlamaForCausalLM(llama).eval()
        ft.load_state_dict({n: t + torch.randn_like(t) * 0.05 for n, t in base.state_dict().items()})
        ft.save_pretrained(os.path.join(MODELS, f"llama_ft{k}"))
        fts.append(ft)
    gpt2 = GPT2Config(vocab_size=64, n_embd=16, n_layer=2, n_head=2, n_positions=64, bos_token_id=1, eos_token_id=1)
    for name in ("gpt2_a", "gpt2_b"):
        GPT2LMHeadModel(gpt2).eval().save_pretrained(os.path.join(MODELS, name))
    merged_state = {}
    b = base.state_dict()
    for name, t in b.items():
        deltas = [ft.state_dict()[name] - t for ft in fts]
        merged_state[name] = t + merge_utils.ties(deltas, torch.tensor(TIES_MODEL_WEIGHTS), 0.5, "total")
    merged = LlamaForCausalLM(llama).eval()
    merged.load_state_dict(merged_state)
    ids, mask = inputs()
    ref = {"state." + k: v.contiguous() for k, v in merged_state.items()}
    ref["input_ids"] = ids
    ref["attention_mask"] = mask
    ref["logits"] = logits_of(merged, ids, mask)
    save_file(ref, os.path.join(MODELS, "ties_reference.safetensors"), metadata={"generator": versions()})
    print("models written")


def inputs():
    ids = torch.tensor([[5, 9, 13, 2, 40, 7], [0, 0, 3, 33, 8, 21]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]])
    return ids, mask


def logits_of(model, ids, mask):
    position_ids = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask, position_ids=position_ids).logits.float().contiguous()


def check_java_saved():
    folder = os.path.join(MODELS, "java_saved", "ties")
    model, info = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, output_loading_info=True)
    model.eval()
    problems = {k: v for k, v in info.items() if v}
    ref = load_file(os.path.join(MODELS, "ties_reference.safetensors"))
    mask = ref["attention_mask"]
    delta = (logits_of(model, ref["input_ids"], mask) - ref["logits"]).abs()[mask.bool()].max().item()
    ok = not problems and delta <= 1e-5
    lines = [versions(),
             "ties: max |logits(transformers on rlhf4j's merge) - logits(PEFT ties merge)| over non-pad positions",
             f"ties loading info: {problems or 'no missing, unexpected or mismatched keys'}",
             f"ties: {delta:.3e}",
             "PASS" if ok else "FAIL"]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(MODELS, "java_saved", "check.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-java-saved", action="store_true")
    args = parser.parse_args()
    if args.check_java_saved:
        sys.exit(0 if check_java_saved() else 1)
    os.makedirs(MODELS, exist_ok=True)
    merge_utils_fixtures()
    tiny_models()


if __name__ == "__main__":
    main()
