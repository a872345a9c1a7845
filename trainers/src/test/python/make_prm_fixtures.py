"""Reference values for rlhf4j's process reward model (ProcessRewardModel, PRMEncoder, PRMTrainer).

Usage (from the repository root, with trl 1.13 installed):  python trainers/src/test/python/make_prm_fixtures.py

1. trainers/src/test/resources/fixtures/prm_tokenize.json: TRL's own PRMTrainer.tokenize_row
   (trl/experimental/prm/prm_trainer.py) on stepwise records {prompt, completions, labels} with the
   example model's tokenizer (no BOS) and GPT-2's (BOS prepended): plain, max_length and
   max_completion_length truncation, train_on_last_step_only for train and eval, a multi-token
   separator.
2. nn/src/test/resources/prm/llama_tokcls/: transformers' LlamaForTokenClassification (num_labels 2)
   on the llama_gqa_llama3 backbone with a random score head (weight and bias), as save_pretrained
   writes it, and reference.safetensors: input_ids / attention_mask [3, 7] (right padded), labels
   (-100 except separator positions), logits [3, 7, 2] (eval mode, position ids 0..T-1, which agree
   with rlhf4j's mask-derived ones for right padding) and loss = cross-entropy mean over labelled
   positions (transformers' token-classification loss, which TRL's PRMTrainer trains on).
"""
import gzip
import json
import os
import shutil
import tempfile

import torch
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer, LlamaConfig, LlamaForTokenClassification
from trl.experimental.prm.prm_trainer import PRMTrainer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "trainers", "src", "test", "resources", "fixtures")
NN = os.path.join(ROOT, "nn", "src", "test", "resources")

RECORDS = [
    {"prompt": "Question: What is 2 plus 3?\nAnswer:", "completions": [" 2 plus 3", " is 5."],
     "labels": [True, True]},
    {"prompt": "Question: What is 4 plus 4?\nAnswer:", "completions": [" Four and four", " makes nine", " so 9."],
     "labels": [True, False, False]},
    {"prompt": "Hi", "completions": [" one step only"], "labels": [False]},
]
CASES = [
    {"name": "plain", "separator": "\n", "max_length": None, "max_completion_length": None, "last": False, "eval": False},
    {"name": "max_length", "separator": "\n", "max_length": 14, "max_completion_length": None, "last": False, "eval": False},
    {"name": "max_completion", "separator": "\n", "max_length": 1024, "max_completion_length": 5, "last": False, "eval": False},
    {"name": "last_step_train", "separator": "\n", "max_length": None, "max_completion_length": None, "last": True, "eval": False},
    {"name": "last_step_eval", "separator": "\n", "max_length": None, "max_completion_length": None, "last": True, "eval": True},
    {"name": "multi_token_separator", "separator": " ки\n", "max_length": None, "max_completion_length": None, "last": False, "eval": False},
]


def tokenizer(name):
    if name == "tiny-chat":
        return AutoTokenizer.from_pretrained(os.path.join(ROOT, "examples", "models", "tiny-chat"))
    src = os.path.join(NN, "tokenizers", name)
    tmp = tempfile.mkdtemp()
    with gzip.open(os.path.join(src, "tokenizer.json.gz"), "rb") as f, open(os.path.join(tmp, "tokenizer.json"), "wb") as g:
        g.write(f.read())
    shutil.copy(os.path.join(src, "tokenizer_config.json"), tmp)
    return AutoTokenizer.from_pretrained(tmp)


def tokenize_fixture():
    out = {"records": RECORDS, "cases": []}
    for tok_name in ["tiny-chat", "gpt2"]:
        tok = tokenizer(tok_name)
        for c in CASES:
            rows = [PRMTrainer.tokenize_row(r, tok, c["separator"], c["max_length"], c["max_completion_length"],
                                            c["last"], c["eval"]) for r in RECORDS]
            out["cases"].append(dict(c, tokenizer=tok_name, bos_token_id=tok.bos_token_id,
                                     input_ids=[r["input_ids"] for r in rows], labels=[r["labels"] for r in rows]))
    with open(os.path.join(FIXTURES, "prm_tokenize.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


def model_fixture():
    src = os.path.join(NN, "models", "llama_gqa_llama3")
    out = os.path.join(NN, "prm", "llama_tokcls")
    torch.manual_seed(1234)
    config = LlamaConfig.from_pretrained(src)
    config.num_labels = 2
    config.architectures = ["LlamaForTokenClassification"]
    model = LlamaForTokenClassification(config)
    model.model = AutoModel.from_pretrained(src)
    with torch.no_grad():
        model.score.weight.normal_(0, 0.5)
        model.score.bias.normal_(0, 0.5)
    model.eval()
    shutil.rmtree(out, ignore_errors=True)
    model.save_pretrained(out)
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(1, config.vocab_size, (3, 7), generator=g)
    mask = torch.ones(3, 7, dtype=torch.long)
    mask[1, 5:] = 0
    mask[2, 3:] = 0
    ids[mask == 0] = 0
    sep = 5
    ids[0, 2] = sep
    ids[0, 6] = sep
    ids[1, 4] = sep
    ids[2, 1] = sep
    labels = torch.full((3, 7), -100, dtype=torch.long)
    labels[0, 2], labels[0, 6], labels[1, 4], labels[2, 1] = 1, 0, 1, 0
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 2), labels.reshape(-1), ignore_index=-100)
    save_file({"input_ids": ids, "attention_mask": mask, "labels": labels, "logits": logits.contiguous(),
               "loss": loss.reshape(1), "separator": torch.tensor([sep])}, os.path.join(out, "reference.safetensors"))


if __name__ == "__main__":
    tokenize_fixture()
    model_fixture()
