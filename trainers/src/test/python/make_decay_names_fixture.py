"""Which parameters transformers' Trainer decays, for DecayParametersTest.

Loads nn's tiny fixture models with transformers and writes, per model, the names returned by
Trainer.get_decay_parameter_names (transformers 5.x) and the names of every parameter.

Usage (from the repository root):  python trainers/src/test/python/make_decay_names_fixture.py
Writes trainers/src/test/resources/fixtures/decay_names.json.
"""
import json
import os

from transformers import AutoModelForCausalLM, Trainer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
MODELS = os.path.join(ROOT, "nn", "src", "test", "resources", "models")
OUT = os.path.join(ROOT, "trainers", "src", "test", "resources", "fixtures", "decay_names.json")


def main():
    out = {}
    for name in ["gpt2", "qwen2", "qwen3", "smollm_tied"]:
        model = AutoModelForCausalLM.from_pretrained(os.path.join(MODELS, name))
        decay = Trainer.get_decay_parameter_names(None, model)
        names = [n for n, _ in model.named_parameters()]
        out[name] = {"decay": [n for n in names if n in decay], "all": names}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
