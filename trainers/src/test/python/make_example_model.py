"""Builds the SFT example: a small instruction dataset and a tiny chat model that fits it.

Writes (deterministically; rerun to regenerate, then commit the outputs):
  examples/data/sft.jsonl, examples/data/sft_eval.jsonl   {prompt, response} records
  examples/data/sft_chat.jsonl                            {messages} records
  examples/models/tiny-chat/                              tokenizer (byte-level BPE trained on the
                                                          records, ChatML template) and a randomly
                                                          initialised 2-layer Llama (transformers)

Usage: python trainers/src/test/python/make_example_model.py   (from the repository root)
"""
import json
import os
import random

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "examples", "data")
MODEL = os.path.join(ROOT, "examples", "models", "tiny-chat")
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CAPITALS = [("France", "Paris"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Germany", "Berlin"),
            ("Japan", "Tokyo"), ("Egypt", "Cairo"), ("Peru", "Lima"), ("Kenya", "Nairobi"),
            ("Norway", "Oslo"), ("Greece", "Athens"), ("Chile", "Santiago"), ("Cuba", "Havana")]
OPPOSITES = [("hot", "cold"), ("up", "down"), ("big", "small"), ("fast", "slow"), ("old", "new"),
             ("wet", "dry"), ("light", "dark"), ("early", "late"), ("open", "closed"), ("full", "empty")]


def records():
    out = []
    for a in range(10):
        for b in range(10):
            out.append({"prompt": f"Question: What is {a} plus {b}?\nAnswer:", "response": f" {a} plus {b} is {a + b}."})
    for country, city in CAPITALS:
        out.append({"prompt": f"Question: What is the capital of {country}?\nAnswer:",
                    "response": f" The capital of {country} is {city}."})
    for word, opposite in OPPOSITES:
        out.append({"prompt": f"Question: What is the opposite of {word}?\nAnswer:",
                    "response": f" The opposite of {word} is {opposite}."})
    return out


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def main():
    rng = random.Random(1234)
    rows = records()
    rng.shuffle(rows)
    train, held_out = rows[:-16], rows[-16:]
    os.makedirs(DATA, exist_ok=True)
    write_jsonl(os.path.join(DATA, "sft.jsonl"), train)
    write_jsonl(os.path.join(DATA, "sft_eval.jsonl"), held_out)
    chats = [{"messages": [{"role": "system", "content": "You answer briefly."},
                           {"role": "user", "content": r["prompt"].removeprefix("Question: ").removesuffix("\nAnswer:")},
                           {"role": "assistant", "content": r["response"].strip()}]} for r in train[:24]]
    write_jsonl(os.path.join(DATA, "sft_chat.jsonl"), chats)

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    corpus = [r["prompt"] + r["response"] for r in rows]
    trainer = trainers.BpeTrainer(vocab_size=384, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    os.makedirs(MODEL, exist_ok=True)
    tok.save(os.path.join(MODEL, "tokenizer.json"))
    with open(os.path.join(MODEL, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": None, "eos_token": "<|im_end|>",
                   "pad_token": "<|endoftext|>", "unk_token": None, "model_max_length": 256,
                   "clean_up_tokenization_spaces": False, "chat_template": CHAT_TEMPLATE}, f, indent=2)

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=tok.get_vocab_size(), hidden_size=64, intermediate_size=128,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=256, tie_word_embeddings=True,
                         bos_token_id=None, eos_token_id=tok.token_to_id("<|im_end|>"),
                         pad_token_id=tok.token_to_id("<|endoftext|>"))
    model = LlamaForCausalLM(config)
    model.save_pretrained(MODEL, safe_serialization=True)
    print("vocab", tok.get_vocab_size(), "parameters", sum(p.numel() for p in model.parameters()))


if __name__ == "__main__":
    main()
