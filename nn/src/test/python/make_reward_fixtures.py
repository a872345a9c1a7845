"""Reference rewards, Bradley-Terry losses and gradients for rlhf4j's RewardModel tests.

Run from the repository root (needs torch and transformers from the wheel mirror):

    python nn/src/test/python/make_reward_fixtures.py                     # writes the fixtures
    python nn/src/test/python/make_reward_fixtures.py --check-java-saved
        # loads the reward models rlhf4j saved under reward/java_saved/ (JavaSavedRewardModelTest)
        # with transformers and compares their rewards with the references; writes java_saved/check.txt

For each tiny model of make_model_fixtures.py named in BACKBONES it builds, in torch, the
architecture of io.rlhf4j.nn.reward.RewardModel: transformers' AutoModel (the decoder stack
without lm_head) loaded from nn/src/test/resources/models/<name>/, then the reward head
nn.Sequential(Linear(h, h), GELU(), Dropout(0.1), Linear(h, 1)), evaluated in eval mode (dropout
off). It writes to nn/src/test/resources/reward/<name>/:

  reward_head.safetensors  the head's weights, names reward_head.{0,3}.{weight,bias}
  reference.safetensors    {right,left}.input_ids / .attention_mask [4, 7] I64;
                           rewards.{right,left}.{last,mean} [4] F32 (pooling: last non-pad token,
                           masked mean); bt.* the Bradley-Terry case below; grad.{loss,total}.<param>

The Bradley-Terry case pairs the right-padded, last-token rewards as chosen = r[0:2],
rejected = r[2:4], with margin bt.margin and label smoothing BT_SMOOTHING:
  bt.loss  = mean(BCE-with-logits(r_c - r_r - margin, target 1 - eps))
  bt.total = bt.loss + L2 * sum ||theta||^2 (every parameter) + CENTER * mean((r_c + r_r)^2)
and the gradients of both w.r.t. the head's parameters and the backbone's final norm weight.

Position ids are HF generate's (cumsum(mask) - 1, pads 1), which rlhf4j's models derive from the
mask, so a left-padded row scores like its right-padded twin.

It also writes reward/llama_seqcls/: transformers' LlamaForSequenceClassification (num_labels 1,
pad_token_id 0; the llama_gqa_llama3 backbone plus a random score.weight) as save_pretrained
writes it, and reference.safetensors with its logits for the same right- and left-padded batches.
"""

import argparse
import json
import os
import shutil

import torch
import transformers
from safetensors.torch import save_file
from torch import nn
from transformers import AutoConfig, AutoModel, LlamaForSequenceClassification

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources")
MODELS = os.path.join(RESOURCES, "models")
OUT = os.path.join(RESOURCES, "reward")
BACKBONES = ["llama_gqa_llama3", "gpt2"]
BT_SMOOTHING = 0.1
L2 = 1e-3
CENTER = 0.05
META = {"generator": f"transformers {transformers.__version__}, torch {torch.__version__}"}


def position_ids(mask):
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 1)


def batches(vocab, seed):
    """Four rows of lengths 7, 5, 6, 3 (ids 1 .. vocab-1; 0 is the pad id), right- and left-padded."""
    g = torch.Generator().manual_seed(seed)
    lengths = [7, 5, 6, 3]
    tokens = [torch.randint(1, vocab, (n,), generator=g) for n in lengths]
    out = {}
    for side in ("right", "left"):
        ids = torch.zeros(len(lengths), 7, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, t in enumerate(tokens):
            n = len(t)
            cols = slice(0, n) if side == "right" else slice(7 - n, 7)
            ids[row, cols] = t
            mask[row, cols] = 1
        out[side] = (ids, mask)
    return out


def pool(hidden, mask, kind):
    if kind == "last":
        last = (torch.arange(mask.shape[1]) * mask).argmax(-1)
        return hidden[torch.arange(hidden.shape[0]), last]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1)


def make_head(hidden, seed):
    g = torch.Generator().manual_seed(seed)
    head = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(0.1), nn.Linear(hidden, 1))
    with torch.no_grad():
        for p in head.parameters():
            p.copy_(0.3 * torch.randn(p.shape, generator=g))
    return head.eval()


def reward_case(name, seed):
    base = AutoModel.from_pretrained(os.path.join(MODELS, name), dtype=torch.float32).eval()
    hidden_size = base.config.hidden_size
    head = make_head(hidden_size, seed)
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    save_file({f"reward_head.{k}": v.contiguous() for k, v in head.state_dict().items()},
              os.path.join(folder, "reward_head.safetensors"), metadata={"format": "pt"})

    def rewards(ids, mask, kind):
        h = base(input_ids=ids, attention_mask=mask, position_ids=position_ids(mask)).last_hidden_state
        return head(pool(h, mask, kind)).squeeze(-1)

    ref = {}
    data = batches(base.config.vocab_size, seed + 1)
    with torch.no_grad():
        for side, (ids, mask) in data.items():
            ref[side + ".input_ids"] = ids
            ref[side + ".attention_mask"] = mask
            for kind in ("last", "mean"):
                ref[f"rewards.{side}.{kind}"] = rewards(ids, mask, kind).float()

    ids, mask = data["right"]
    margin = torch.tensor([0.5, -0.25])
    ref["bt.margin"] = margin
    norm = dict(base.named_parameters())["norm.weight" if "norm.weight" in dict(base.named_parameters()) else "ln_f.weight"]
    tracked = {f"reward_head.{k}": p for k, p in head.named_parameters()}
    tracked["backbone_final_norm.weight"] = norm
    params = list(base.parameters()) + list(head.parameters())
    for what in ("loss", "total"):
        for p in params:
            p.grad = None
        r = rewards(ids, mask, "last")
        chosen, rejected = r[0:2], r[2:4]
        logits = chosen - rejected - margin
        loss = nn.functional.binary_cross_entropy_with_logits(logits, torch.full_like(logits, 1 - BT_SMOOTHING))
        if what == "total":
            loss = loss + L2 * sum(p.pow(2).sum() for p in params) + CENTER * ((chosen + rejected) ** 2).mean()
        loss.backward()
        ref["bt." + what] = loss.detach().reshape(1)
        for key, p in tracked.items():
            ref[f"grad.{what}.{key}"] = p.grad.detach().clone()
    save_file({k: v.contiguous() for k, v in ref.items()}, os.path.join(folder, "reference.safetensors"),
              metadata=META)
    print(name, {k: v.tolist() for k, v in ref.items() if k.startswith(("rewards.", "bt."))})


def seqcls_case(seed):
    source = os.path.join(MODELS, "llama_gqa_llama3")
    config = AutoConfig.from_pretrained(source, num_labels=1, pad_token_id=0)
    model = LlamaForSequenceClassification.from_pretrained(source, config=config, dtype=torch.float32).eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.score.weight.copy_(0.3 * torch.randn(model.score.weight.shape, generator=g))
    folder = os.path.join(OUT, "llama_seqcls")
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    extra = os.path.join(folder, "generation_config.json")
    if os.path.exists(extra):
        os.remove(extra)
    loaded = LlamaForSequenceClassification.from_pretrained(folder, dtype=torch.float32).eval()
    ref = {}
    with torch.no_grad():
        for side, (ids, mask) in batches(config.vocab_size, seed + 1).items():
            ref[side + ".input_ids"] = ids
            ref[side + ".attention_mask"] = mask
            ref[side + ".logits"] = loaded(input_ids=ids, attention_mask=mask,
                                           position_ids=position_ids(mask)).logits.float()
    save_file({k: v.contiguous() for k, v in ref.items()}, os.path.join(folder, "reference.safetensors"),
              metadata=META)
    print("llama_seqcls", {k: v.tolist() for k, v in ref.items() if k.endswith("logits")})


def check_java_saved():
    from safetensors.torch import load_file
    folder = os.path.join(OUT, "java_saved")
    lines = [f"transformers {transformers.__version__}, torch {torch.__version__}",
             "max |reward(transformers on rlhf4j's save) - reference reward of the source model|"]
    worst = 0.0

    # gpt2_mlp: the backbone in AutoModel layout + reward_head.safetensors + reward_config.json.
    path = os.path.join(folder, "gpt2_mlp")
    base, info = AutoModel.from_pretrained(path, dtype=torch.float32, output_loading_info=True)
    base.eval()
    problems = {k: v for k, v in info.items() if v}
    lines.append(f"gpt2_mlp backbone ({type(base).__name__}) loading info: {problems or 'no missing, unexpected or mismatched keys'}")
    meta = json.load(open(os.path.join(path, "reward_config.json")))
    lines.append(f"gpt2_mlp reward_config.json: head_type {meta['head_type']}, pooling {meta['pooling']}")
    head = make_head(base.config.hidden_size, 0)
    state = {k[len("reward_head."):]: v for k, v in load_file(os.path.join(path, "reward_head.safetensors")).items()}
    head.load_state_dict(state, strict=True)
    ref = load_file(os.path.join(OUT, "gpt2", "reference.safetensors"))
    ok = not problems and meta["head_type"] == "mlp" and meta["pooling"] == "last_token"
    with torch.no_grad():
        for side in ("right", "left"):
            ids, mask = ref[side + ".input_ids"], ref[side + ".attention_mask"]
            h = base(input_ids=ids, attention_mask=mask, position_ids=position_ids(mask)).last_hidden_state
            delta = (head(pool(h, mask, "last")).squeeze(-1) - ref[f"rewards.{side}.last"]).abs().max().item()
            worst = max(worst, delta)
            lines.append(f"gpt2_mlp {side}: {delta:.3e}")

    # llama_seqcls: transformers' LlamaForSequenceClassification layout.
    path = os.path.join(folder, "llama_seqcls")
    model, info = LlamaForSequenceClassification.from_pretrained(path, dtype=torch.float32, output_loading_info=True)
    model.eval()
    problems = {k: v for k, v in info.items() if v}
    ok = ok and not problems
    lines.append(f"llama_seqcls loading info: {problems or 'no missing, unexpected or mismatched keys'}")
    ref = load_file(os.path.join(OUT, "llama_seqcls", "reference.safetensors"))
    with torch.no_grad():
        for side in ("right", "left"):
            ids, mask = ref[side + ".input_ids"], ref[side + ".attention_mask"]
            got = model(input_ids=ids, attention_mask=mask, position_ids=position_ids(mask)).logits
            delta = (got - ref[side + ".logits"]).abs().max().item()
            worst = max(worst, delta)
            lines.append(f"llama_seqcls {side}: {delta:.3e}")
    lines.append("PASS" if ok and worst <= 1e-5 else "FAIL")
    with open(os.path.join(folder, "check.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-java-saved", action="store_true")
    if parser.parse_args().check_java_saved:
        check_java_saved()
        return
    torch.manual_seed(0)
    for i, name in enumerate(BACKBONES):
        reward_case(name, 100 + 10 * i)
    seqcls_case(200)


if __name__ == "__main__":
    main()
