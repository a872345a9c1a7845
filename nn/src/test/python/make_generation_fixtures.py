"""Reference outputs of transformers' generate, its logits warpers and per-token log-probs, for
the tests of io.rlhf4j.nn.generation and io.rlhf4j.nn.policy.

Run from the repository root after make_model_fixtures.py (needs torch and transformers from the
wheel mirror):

    python nn/src/test/python/make_generation_fixtures.py

Writes nn/src/test/resources/models/<name>/generation.safetensors for the models in MODELS with,
per greedy case c in {single, single_eos, batch, eos} (do_sample=False, max_new_tokens=12):
  c.input_ids [B, T] I64 (left-padded), c.attention_mask [B, T] I64, c.pad_token_id [1] I64,
  c.eos_token_id [1] I64 and c.sequences [B, T + n] I64, what generate returned.
"single" is one unpadded prompt and "batch" three left-padded prompts, both with an EOS id that
the greedy continuation never produces; "eos" is the batch again with the EOS id set to the token
row 0 produces at its first step >= 3 with a token new to that row, so that row stops early and is
padded afterwards; "single_eos" does the same to the single prompt, where generation ends early.
And logprobs.input_ids [B, T] (right-padded prompt + response), logprobs.attention_mask,
logprobs.prompt_lengths [B] and logprobs.per_token [B, T - 1] F32: TRL's convention,
log_softmax(logits[:, :-1]).gather(ids[:, 1:]) with positions before the response or at padding
set to 0 (entry t is the log-prob of token t + 1, scored by the logits at position t).

Also writes nn/src/test/resources/generation/warpers.safetensors: logits [4, 64] F32 and, per
case, the output of transformers' TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper
and their HF order (temperature, top-k, top-p) applied to them, -inf where a token is removed.
"""

import os

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM
from transformers.generation.logits_process import (LogitsProcessorList, TemperatureLogitsWarper,
                                                    TopKLogitsWarper, TopPLogitsWarper)

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources")
MODELS = ["llama_gqa_llama3", "qwen3", "gpt2", "smollm_tied"]
NEW_TOKENS = 12
META = {"generator": f"transformers {transformers.__version__}, torch {torch.__version__}"}


def greedy(model, ids, mask, pad, eos):
    with torch.no_grad():
        return model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=NEW_TOKENS,
                              pad_token_id=pad, eos_token_id=eos)


def unused_token(vocab, sequences, prompt_width):
    used = set(sequences[:, prompt_width:].flatten().tolist())
    return next(t for t in range(vocab - 1, -1, -1) if t not in used)


def prompts(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    single = torch.randint(0, vocab, (1, 5), generator=g)
    batch = torch.randint(0, vocab, (3, 7), generator=g)
    mask = torch.ones_like(batch)
    for row, pads in enumerate([0, 2, 4]):
        mask[row, :pads] = 0
    return single, batch, mask


def generation_cases(model, vocab, seed):
    single, batch, mask = prompts(vocab, seed)
    pad = vocab - 1
    batch = batch.masked_fill(mask == 0, pad)
    out = {}
    probe = greedy(model, single, torch.ones_like(single), pad, vocab - 1)
    eos = unused_token(vocab, probe, single.shape[1])
    ones = torch.ones_like(single)
    full = greedy(model, single, ones, pad, eos)
    record(out, "single", single, ones, pad, eos, full)
    eos = first_new_token(full[0, single.shape[1]:].tolist())
    stopped = greedy(model, single, ones, pad, eos)
    assert stopped.shape[1] < full.shape[1]
    record(out, "single_eos", single, ones, pad, eos, stopped)
    probe = greedy(model, batch, mask, pad, pad)
    eos = unused_token(vocab, probe, batch.shape[1])
    full = greedy(model, batch, mask, pad, eos)
    record(out, "batch", batch, mask, pad, eos, full)
    eos = first_new_token(full[0, batch.shape[1]:].tolist())
    stopped = greedy(model, batch, mask, pad, eos)
    assert stopped.shape[1] <= full.shape[1] and (stopped[:, batch.shape[1]:] == eos).any()
    record(out, "eos", batch, mask, pad, eos, stopped)
    return out


def first_new_token(row):
    """The token generated at the first step >= 3 whose token did not occur before it."""
    return row[next(s for s in range(3, NEW_TOKENS) if row[s] not in row[:s])]


def record(out, case, ids, mask, pad, eos, sequences):
    out[case + ".input_ids"] = ids.clone()
    out[case + ".attention_mask"] = mask.clone()
    out[case + ".pad_token_id"] = torch.tensor([pad])
    out[case + ".eos_token_id"] = torch.tensor([eos])
    out[case + ".sequences"] = sequences.contiguous()


def logprob_case(model, vocab, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (3, 10), generator=g)
    lengths = [10, 8, 6]
    prompt_lengths = torch.tensor([4, 3, 5])
    mask = torch.zeros_like(ids)
    for row, n in enumerate(lengths):
        mask[row, :n] = 1
    ids = ids.masked_fill(mask == 0, 0)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
    per_token = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    positions = torch.arange(1, ids.shape[1]).unsqueeze(0)
    response = (positions >= prompt_lengths.unsqueeze(1)) & (mask[:, 1:] == 1)
    return {"logprobs.input_ids": ids.contiguous(), "logprobs.attention_mask": mask.contiguous(),
            "logprobs.prompt_lengths": prompt_lengths, "logprobs.per_token": (per_token * response).contiguous()}


def warpers():
    g = torch.Generator().manual_seed(7)
    logits = 2.0 * torch.randn(4, 64, generator=g)
    cases = {
        "temperature_0.7": [TemperatureLogitsWarper(0.7)],
        "top_k_5": [TopKLogitsWarper(5)],
        "top_k_1": [TopKLogitsWarper(1)],
        "top_p_0.9": [TopPLogitsWarper(0.9)],
        "top_p_0.3": [TopPLogitsWarper(0.3)],
        "top_p_0.01": [TopPLogitsWarper(0.01)],
        "t0.7_k10_p0.8": [TemperatureLogitsWarper(0.7), TopKLogitsWarper(10), TopPLogitsWarper(0.8)],
        "t1.5_k50_p0.95": [TemperatureLogitsWarper(1.5), TopKLogitsWarper(50), TopPLogitsWarper(0.95)],
    }
    out = {"logits": logits.contiguous()}
    ids = torch.zeros(4, 1, dtype=torch.long)
    for name, chain in cases.items():
        out[name] = LogitsProcessorList(chain)(ids, logits.clone()).contiguous()
    folder = os.path.join(RESOURCES, "generation")
    os.makedirs(folder, exist_ok=True)
    save_file(out, os.path.join(folder, "warpers.safetensors"), metadata=META)


def main():
    for index, name in enumerate(MODELS):
        folder = os.path.join(RESOURCES, "models", name)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        vocab = model.config.vocab_size
        out = generation_cases(model, vocab, 2000 + 10 * index)
        out.update(logprob_case(model, vocab, 3000 + 10 * index))
        save_file(out, os.path.join(folder, "generation.safetensors"), metadata=META)
        print(name, {k: list(v.shape) for k, v in out.items() if k.endswith("sequences")},
              "eos step rows:", (out["eos.sequences"] == out["eos.eos_token_id"]).nonzero().tolist())
    warpers()


if __name__ == "__main__":
    main()
