"""Expected SFT tokenization (input_ids, labels) for SFTEncoderTest, computed with transformers.

Prompt/response and text records follow TRL 1.13's SFTTrainer._prepare_dataset: EOS text appended to
the response/text unless present, ids = tokenizer(prompt + response), the first len(tokenizer(prompt))
labels -100 with completion_only_loss, then truncation (keep_start / keep_end).

Chat records: assistant spans are found here in *character* space (rendering prefixes with
apply_chat_template(tokenize=False), then mapping characters to tokens through the fast tokenizer's
offset mapping) — a different route from the Java code, which compares token prefixes. Qwen3's template
renders an assistant turn differently once a later user turn follows (it drops the think block), so
its multi-turn conversations are not prefix-stable: only a single-turn Qwen3 case is here; multi-turn
cases use the example model's ChatML template (examples/models/tiny-chat).

Usage (from the repository root):  python trainers/src/test/python/make_sft_tokenization_fixture.py
Writes trainers/src/test/resources/fixtures/sft_tokenization.json.
"""
import gzip
import json
import os
import shutil
import tempfile

from transformers import AutoTokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TOKENIZERS = os.path.join(ROOT, "nn", "src", "test", "resources", "tokenizers")
OUT = os.path.join(ROOT, "trainers", "src", "test", "resources", "fixtures", "sft_tokenization.json")


def load(name):
    d = tempfile.mkdtemp()
    with gzip.open(os.path.join(TOKENIZERS, name, "tokenizer.json.gz")) as f, open(os.path.join(d, "tokenizer.json"), "wb") as o:
        shutil.copyfileobj(f, o)
    shutil.copy(os.path.join(TOKENIZERS, name, "tokenizer_config.json"), d)
    return AutoTokenizer.from_pretrained(d)


def truncate(ids, labels, max_length, mode):
    if max_length is None or len(ids) <= max_length:
        return ids, labels
    sl = slice(None, max_length) if mode == "keep_start" else slice(-max_length, None)
    return ids[sl], labels[sl]


def prompt_response(tok, record, cfg):
    response = record["response"]
    if not response.endswith(tok.eos_token):
        response += tok.eos_token
    prompt_ids = tok(record["prompt"])["input_ids"]
    ids = tok(record["prompt"] + response)["input_ids"]
    labels = list(ids)
    if cfg["completion_only_loss"]:
        labels[: len(prompt_ids)] = [-100] * len(prompt_ids)
    return ids, labels


def text(tok, record, cfg):
    t = record["text"]
    if not t.endswith(tok.eos_token):
        t += tok.eos_token
    ids = tok(t)["input_ids"]
    return ids, list(ids)


def chat(tok, record, cfg):
    messages = record["messages"]
    full = tok.apply_chat_template(messages, tokenize=False)
    enc = tok(full, add_special_tokens=False, return_offsets_mapping=True)
    ids = enc["input_ids"]
    spans = []
    for i, m in enumerate(messages):
        if m["role"] == "assistant":
            start = len(tok.apply_chat_template(messages[:i], tokenize=False, add_generation_prompt=True))
            end = len(tok.apply_chat_template(messages[: i + 1], tokenize=False))
            assert full[:end] == tok.apply_chat_template(messages[: i + 1], tokenize=False)
            spans.append((start, end))
    labels = [t if any(s <= a and b <= e for s, e in spans) else -100
              for t, (a, b) in zip(ids, enc["offset_mapping"])]
    return ids, labels


CASES = [
    ("gpt2", {"prompt": "Question: What is 2 plus 3?\nAnswer:", "response": " 5"}, {}),
    ("gpt2", {"prompt": "Question: What is 2 plus 3?\nAnswer:", "response": " 5"}, {"completion_only_loss": False}),
    ("gpt2", {"text": "Hello world, this is plain text."}, {}),
    ("qwen3", {"prompt": "Translate to French: cat", "response": " chat<|im_end|>"}, {}),
    ("qwen3", {"prompt": "Write a long sentence about the sea.", "response": " The sea is wide and deep and blue."},
     {"max_length": 8, "truncation_mode": "keep_start"}),
    ("qwen3", {"prompt": "Write a long sentence about the sea.", "response": " The sea is wide and deep and blue."},
     {"max_length": 8, "truncation_mode": "keep_end"}),
    ("qwen3", {"messages": [{"role": "system", "content": "Be brief."},
                            {"role": "user", "content": "What is 2+2?"},
                            {"role": "assistant", "content": "4"}]}, {}),
    ("tiny-chat", {"messages": [{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": "Hi!"},
                                {"role": "assistant", "content": "Hello."},
                                {"role": "user", "content": "What is 2 plus 2?"},
                                {"role": "assistant", "content": "4"}]}, {}),
    ("tiny-chat", {"messages": [{"role": "user", "content": "Hi!"},
                                {"role": "assistant", "content": "Hello."}]}, {"max_length": 9}),
]


def main():
    toks = {"gpt2": load("gpt2"), "qwen3": load("qwen3"),
            "tiny-chat": AutoTokenizer.from_pretrained(os.path.join(ROOT, "examples", "models", "tiny-chat"))}
    out = []
    for name, record, overrides in CASES:
        cfg = {"completion_only_loss": True, "max_length": None, "truncation_mode": "keep_start", **overrides}
        tok = toks[name]
        fn = chat if "messages" in record else prompt_response if "prompt" in record else text
        ids, labels = fn(tok, record, cfg)
        ids, labels = truncate(ids, labels, cfg["max_length"], cfg["truncation_mode"])
        out.append({"tokenizer": name, "record": record, "config": cfg, "input_ids": ids, "labels": labels})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
