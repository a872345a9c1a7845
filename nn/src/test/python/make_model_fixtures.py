"""Tiny random-weight Hugging Face models and their reference logits, for the nn module's tests.

Run from the repository root (needs torch and transformers from the wheel mirror):

    python nn/src/test/python/make_model_fixtures.py            # writes the models and references
    python nn/src/test/python/make_model_fixtures.py --check-java-saved
        # loads the models rlhf4j saved under models/java_saved/ and compares their logits with
        # the reference logits of the models they were loaded from; writes java_saved/check.txt

Each model folder under nn/src/test/resources/models/<name>/ holds what save_pretrained writes
(config.json, model.safetensors or shards + index) plus reference.safetensors with, per case
c in {plain, padded}: c.input_ids [B, T] I64, c.attention_mask [B, T] I64, c.position_ids [B, T]
I64 and c.logits [B, T, V] F32. Position ids are HF generate's: cumsum(mask) - 1 with pads set
to 1; logits at pad positions are whatever transformers returns there and are not compared.

Reference logits are always computed in float32 from the files on disk (BF16 files are loaded
with dtype=float32: widening BF16 to F32 is exact, so the only difference left to the Java side
is F32 summation order).
"""

import argparse
import json
import os
import shutil
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import (AutoModelForCausalLM, GPT2Config, LlamaConfig, MistralConfig, Qwen2Config,
                          Qwen3Config)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "models")


def llama_gqa_llama3():
    return LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                       rms_norm_eps=1e-5, tie_word_embeddings=False,
                       rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0,
                                        "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                        "original_max_position_embeddings": 64})


def llama_linear_bf16():
    return LlamaConfig(vocab_size=160, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=64,
                       rms_norm_eps=1e-6, tie_word_embeddings=False,
                       rope_parameters={"rope_type": "linear", "rope_theta": 500.0, "factor": 2.0})


def qwen2():
    return Qwen2Config(vocab_size=140, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                       rms_norm_eps=1e-6, tie_word_embeddings=False,
                       rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})


def qwen3():
    return Qwen3Config(vocab_size=150, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=64,
                       rms_norm_eps=1e-6, tie_word_embeddings=False,
                       rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})


def mistral():
    return MistralConfig(vocab_size=130, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=64,
                         rms_norm_eps=1e-5, sliding_window=4096, tie_word_embeddings=False,
                         rope_parameters={"rope_type": "default", "rope_theta": 10000.0})


def smollm_tied():
    return LlamaConfig(vocab_size=200, hidden_size=48, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=3, num_key_value_heads=1, max_position_embeddings=64,
                       rms_norm_eps=1e-5, tie_word_embeddings=True,
                       rope_parameters={"rope_type": "default", "rope_theta": 10000.0})


def gpt2():
    return GPT2Config(vocab_size=160, n_embd=32, n_layer=2, n_head=4, n_positions=64,
                      activation_function="gelu_new", layer_norm_epsilon=1e-5,
                      bos_token_id=159, eos_token_id=159)


def llama_sharded():
    return LlamaConfig(vocab_size=128, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                       rms_norm_eps=1e-6, tie_word_embeddings=False,
                       rope_parameters={"rope_type": "default", "rope_theta": 10000.0})


# name -> (config factory, save dtype, max_shard_size)
MODELS = {
    "llama_gqa_llama3": (llama_gqa_llama3, torch.float32, None),
    "llama_linear_bf16": (llama_linear_bf16, torch.bfloat16, None),
    "qwen2": (qwen2, torch.float32, None),
    "qwen3": (qwen3, torch.float32, None),
    "mistral": (mistral, torch.float32, None),
    "smollm_tied": (smollm_tied, torch.float32, None),
    "gpt2": (gpt2, torch.float32, None),
    "llama_sharded": (llama_sharded, torch.float32, "30KB"),
}


def randomize(model, seed):
    """Weights large enough that every parameter visibly changes the logits (HF's init is ~0.02)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.25 * torch.randn(p.shape, generator=g))


def position_ids(mask):
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 1)


def cases(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    plain_ids = torch.randint(0, vocab, (2, 20), generator=g)
    plain_mask = torch.ones_like(plain_ids)
    padded_ids = torch.randint(0, vocab, (3, 9), generator=g)
    padded_mask = torch.ones_like(padded_ids)
    for row, pads in enumerate([0, 3, 5]):
        padded_mask[row, :pads] = 0
        padded_ids[row, :pads] = 0
    return {"plain": (plain_ids, plain_mask), "padded": (padded_ids, padded_mask)}


def logits_of(model, ids, mask):
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask, position_ids=position_ids(mask)).logits.float()


def reference(model, vocab, seed):
    out = {}
    for case, (ids, mask) in cases(vocab, seed).items():
        out[case + ".input_ids"] = ids.contiguous()
        out[case + ".attention_mask"] = mask.contiguous()
        out[case + ".position_ids"] = position_ids(mask).contiguous()
        out[case + ".logits"] = logits_of(model, ids, mask).contiguous()
    return out


def build(name, seed):
    factory, dtype, shard = MODELS[name]
    config = factory()
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config).eval()
    randomize(model, seed)
    folder = os.path.join(ROOT, name)
    shutil.rmtree(folder, ignore_errors=True)
    model = model.to(dtype)
    if shard:
        model.save_pretrained(folder, max_shard_size=shard)
    else:
        model.save_pretrained(folder)
    for extra in ("generation_config.json",):
        path = os.path.join(folder, extra)
        if os.path.exists(path):
            os.remove(path)
    loaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    ref = reference(loaded, config.vocab_size, seed + 1)
    rotary = getattr(getattr(loaded, "model", None), "rotary_emb", None)
    if rotary is not None:
        ref["rotary.inv_freq"] = rotary.inv_freq.float().contiguous()
    save_file(ref, os.path.join(folder, "reference.safetensors"), metadata={
        "generator": f"transformers {transformers.__version__}, torch {torch.__version__}"})
    count = sum(p.numel() for p in loaded.parameters())
    print(f"{name}: {count} parameters, files {sorted(os.listdir(folder))}")
    return count


def check_java_saved():
    from safetensors.torch import load_file
    folder = os.path.join(ROOT, "java_saved")
    lines = [f"transformers {transformers.__version__}, torch {torch.__version__}",
             "model: max |logits(transformers on rlhf4j's save) - reference logits of the source model|"
             " over non-pad positions"]
    worst = 0.0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not os.path.isdir(path):
            continue
        model, info = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, output_loading_info=True)
        model.eval()
        problems = {k: v for k, v in info.items() if v}
        lines.append(f"{name} loading info: {problems or 'no missing, unexpected or mismatched keys'}")
        if problems:
            worst = float("inf")
        ref = load_file(os.path.join(ROOT, name, "reference.safetensors"))
        for case in ("plain", "padded"):
            mask = ref[case + ".attention_mask"]
            got = logits_of(model, ref[case + ".input_ids"], mask)
            delta = (got - ref[case + ".logits"]).abs()[mask.bool()].max().item()
            worst = max(worst, delta)
            lines.append(f"{name} {case}: {delta:.3e}")
    lines.append("PASS" if worst <= 1e-5 else "FAIL")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(folder, "check.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    return worst <= 1e-5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-java-saved", action="store_true")
    args = parser.parse_args()
    if args.check_java_saved:
        sys.exit(0 if check_java_saved() else 1)
    counts = {name: build(name, 1000 + 10 * seed) for seed, name in enumerate(MODELS)}
    manifest = {name: {"dtype": str(MODELS[name][1]).removeprefix("torch."), "parameters": counts[name]}
                for name in MODELS}
    with open(os.path.join(ROOT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
