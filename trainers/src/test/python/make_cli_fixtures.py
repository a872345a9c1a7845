"""Expected outputs of `rlhf4j generate` and `rlhf4j logprobs` on examples/models/tiny-chat, computed with
transformers (greedy generate, apply_chat_template) and torch (log_softmax + gather).

generate: each case's prompt ids (tokenizer(prompt) for plain prompts; apply_chat_template(messages,
add_generation_prompt=True, tokenize=False) then tokenizer(rendered, add_special_tokens=False) for chat
prompts, which is what apply_chat_template(tokenize=True) does), the ids model.generate returns greedily,
and their text decode(new_ids, skip_special_tokens=True). min_margin is the smallest gap between the
two largest logits over the greedy steps: a gap far above float32 noise means another implementation's
argmax must agree.

logprobs: each input line scored on its own (no padding): ids = tokenizer(text) for {"text"} lines,
with the first token unscored; for {"prompt", "response"} lines ids = tokenizer(prompt + response) and
the first len(tokenizer(prompt)) tokens unscored (TRL's prompt/completion boundary). logprobs[i] =
log_softmax(logits[k + i - 1])[ids[k + i]] for the first scored index k; tokens[i] = decode([ids[k + i]]).

Usage (from the repository root):  python trainers/src/test/python/make_cli_fixtures.py
Writes trainers/src/test/resources/fixtures/cli_generate.json, cli_logprobs_input.jsonl and
cli_logprobs_expected.jsonl.
"""
import json
import os

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
MODEL = os.path.join(ROOT, "examples", "models", "tiny-chat")
OUT = os.path.join(ROOT, "trainers", "src", "test", "resources", "fixtures")

GENERATE = [
    {"name": "plain", "prompt": "Question: What is 2 plus 3?\nAnswer:", "max_new_tokens": 16},
    {"name": "chat", "prompt": "What is the capital of Peru?", "system": "You answer briefly.",
     "max_new_tokens": 12},
]

LOGPROB_LINES = [
    {"text": "Question: What is 4 plus 4?\nAnswer: 4 plus 4 is 8."},
    {"prompt": "Question: What is the capital of Chile?\nAnswer:", "response": " The capital of Chile is Santiago."},
    {"text": "caf\u00e9 \u2615 ok"},
    {"prompt": "Question: What is the opposite of hot?\nAnswer:", "response": " The opposite of hot is cold."},
    {"text": "Hi"},
]


def greedy(model, tok, case):
    if "system" in case:
        messages = [{"role": "system", "content": case["system"]}, {"role": "user", "content": case["prompt"]}]
        rendered = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        ids = tok(rendered, add_special_tokens=False)["input_ids"]
    else:
        rendered = None
        ids = tok(case["prompt"])["input_ids"]
    out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                         do_sample=False, max_new_tokens=case["max_new_tokens"], output_scores=True,
                         return_dict_in_generate=True)
    new_ids = out.sequences[0, len(ids):].tolist()
    margins = [float(s[0].topk(2).values[0] - s[0].topk(2).values[1]) for s in out.scores]
    return dict(case, rendered=rendered, prompt_ids=ids, generated_ids=new_ids,
                text=tok.decode(new_ids, skip_special_tokens=True), min_margin=min(margins))


def score(model, tok, line):
    if "text" in line:
        ids, first = tok(line["text"])["input_ids"], 1
    else:
        ids = tok(line["prompt"] + line["response"])["input_ids"]
        first = len(tok(line["prompt"])["input_ids"])
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    logp = torch.log_softmax(logits[:-1].double(), dim=-1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
    scored = logp[first - 1:].tolist()
    return {"input_ids": ids, "first_scored": first, "tokens": [tok.decode([i]) for i in ids[first:]],
            "logprobs": scored, "sum": sum(scored), "mean": sum(scored) / len(scored)}


def main():
    tok = AutoTokenizer.from_pretrained(MODEL)
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()
    generate = [greedy(model, tok, c) for c in GENERATE]
    for g in generate:
        print(g["name"], repr(g["text"]), "min margin", g["min_margin"])
    with open(os.path.join(OUT, "cli_generate.json"), "w") as f:
        json.dump(generate, f, indent=1, ensure_ascii=False)
        f.write("\n")
    lines = LOGPROB_LINES
    with open(os.path.join(OUT, "cli_logprobs_input.jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "cli_logprobs_expected.jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(score(model, tok, line), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
