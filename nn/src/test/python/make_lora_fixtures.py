"""PEFT LoRA adapters on the tiny fixture models, and the check of adapters saved by rlhf4j.

Run from the repository root (needs torch, transformers and peft from the wheel mirror;
`pip install peft` if it is missing):

    python nn/src/test/python/make_lora_fixtures.py            # writes the PEFT adapters below
    python nn/src/test/python/make_lora_fixtures.py --check-java-saved
        # loads each adapter rlhf4j saved under lora/java_saved/<model>/ with
        # PeftModel.from_pretrained onto models/<model>, compares its logits with the logits
        # rlhf4j computed (java_logits.safetensors in the same folder); writes java_saved/check.txt

Each folder nn/src/test/resources/lora/<case>/ holds what PeftModel.save_pretrained writes
(adapter_config.json, adapter_model.safetensors) and reference.safetensors with, per input case
c in {plain, padded} (the inputs of make_model_fixtures.py): c.input_ids, c.attention_mask,
c.position_ids and c.logits (F32, with the adapter, eval mode), plus c.base_logits (without it).
trainable_parameters.txt holds what print_trainable_parameters printed for the fresh adapter.
Adapter weights are set to random values (B is zero after PEFT's init, which would make the
adapter invisible), so the logits depend on every A and B.
"""

import argparse
import contextlib
import io
import os
import shutil
import sys

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_fixtures import cases, logits_of, position_ids  # noqa: E402

# Paths relative to the repository root, so that base_model_name_or_path in the saved
# adapter_config.json names no machine-specific folder.
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
MODELS = os.path.join("nn", "src", "test", "resources", "models")
ROOT = os.path.join("nn", "src", "test", "resources", "lora")

# case -> (base model, LoraConfig arguments)
ADAPTERS = {
    "peft_smollm_qv": ("smollm_tied", dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"])),
    # Conv1D layers: PEFT forces fan_in_fan_out; c_proj matches both attn.c_proj and mlp.c_proj.
    "peft_gpt2_rslora": ("gpt2", dict(r=4, lora_alpha=16, lora_dropout=0.1, use_rslora=True,
                                      target_modules=["c_attn", "c_proj"], fan_in_fan_out=True)),
    # q/k/v with bias, the MLP, and "all-linear" leaving lm_head alone.
    "peft_qwen2_all_linear": ("qwen2", dict(r=2, lora_alpha=5, target_modules="all-linear")),
}


def base_model(name):
    return AutoModelForCausalLM.from_pretrained(os.path.join(MODELS, name), dtype=torch.float32).eval()


def randomize_adapter(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_A" in name or "lora_B" in name:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))


def build(case, seed):
    base_name, kwargs = ADAPTERS[case]
    folder = os.path.join(ROOT, case)
    shutil.rmtree(folder, ignore_errors=True)
    torch.manual_seed(seed)
    config = LoraConfig(task_type="CAUSAL_LM", **kwargs)
    model = get_peft_model(base_model(base_name), config)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.print_trainable_parameters()
    randomize_adapter(model, seed)
    model.eval()
    model.save_pretrained(folder)
    os.remove(os.path.join(folder, "README.md"))  # PEFT's model card template, not part of the format
    with open(os.path.join(folder, "trainable_parameters.txt"), "w") as f:
        f.write(printed.getvalue())
    loaded = PeftModel.from_pretrained(base_model(base_name), folder).eval()
    vocab = loaded.base_model.model.config.vocab_size
    ref = {}
    for c, (ids, mask) in cases(vocab, seed + 1).items():
        ref[c + ".input_ids"] = ids.contiguous()
        ref[c + ".attention_mask"] = mask.contiguous()
        ref[c + ".position_ids"] = position_ids(mask).contiguous()
        ref[c + ".logits"] = logits_of(loaded, ids, mask).contiguous()
        ref[c + ".base_logits"] = logits_of(base_model(base_name), ids, mask).contiguous()
    wrapped = sorted(n for n, m in loaded.named_modules() if isinstance(m, peft.tuners.lora.LoraLayer))
    save_file(ref, os.path.join(folder, "reference.safetensors"), metadata={
        "generator": f"peft {peft.__version__}, transformers {transformers.__version__}, torch {torch.__version__}",
        "wrapped_modules": ",".join(n.removeprefix("base_model.model.") for n in wrapped)})
    print(f"{case}: {len(wrapped)} LoRA layers, files {sorted(os.listdir(folder))}")


def check_java_saved():
    folder = os.path.join(ROOT, "java_saved")
    lines = [f"peft {peft.__version__}, transformers {transformers.__version__}, torch {torch.__version__}",
             "model: max |logits(PeftModel.from_pretrained on rlhf4j's adapter) - logits rlhf4j computed|"
             " over non-pad positions; adapter effect: max |those logits - base model logits|"]
    worst = 0.0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not os.path.isdir(path):
            continue
        base = base_model(name)
        model = PeftModel.from_pretrained(base_model(name), path).eval()
        java = load_file(os.path.join(path, "java_logits.safetensors"))
        for case in ("plain", "padded"):
            ids = java[case + ".input_ids"]
            mask = java[case + ".attention_mask"]
            got = logits_of(model, ids, mask)
            delta = (got - java[case + ".logits"]).abs()[mask.bool()].max().item()
            effect = (got - logits_of(base, ids, mask)).abs()[mask.bool()].max().item()
            if effect < 1e-2:
                worst = float("inf")
            worst = max(worst, delta)
            lines.append(f"{name} {case}: {delta:.3e}; adapter effect {effect:.3e}")
    lines.append("PASS" if worst <= 1e-4 else "FAIL")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(folder, "check.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    return worst <= 1e-4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-java-saved", action="store_true")
    args = parser.parse_args()
    os.chdir(REPO)
    if args.check_java_saved:
        sys.exit(0 if check_java_saved() else 1)
    for seed, case in enumerate(ADAPTERS):
        build(case, 2000 + 10 * seed)


if __name__ == "__main__":
    main()
