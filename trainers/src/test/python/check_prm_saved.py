"""Loads a process reward model saved by rlhf4j (e.g. `./rlhf4j prm --config examples/prm.yaml --set output_dir=/tmp/prm-run`)
with transformers (AutoModelForTokenClassification: prints missing/unexpected keys, none expected) and recomputes
eval_loss and eval_accuracy on examples/data/prm_eval.jsonl with TRL's tokenize_row, to compare with the run's last
prm/eval_* line in metrics.jsonl. A manual check, not run by CI.

Usage (from the repository root, with trl 1.13):  python trainers/src/test/python/check_prm_saved.py /tmp/prm-run
"""
import json, sys, torch
from transformers import AutoModelForTokenClassification, AutoTokenizer
from trl.experimental.prm.prm_trainer import PRMTrainer
d = sys.argv[1]
model, info = AutoModelForTokenClassification.from_pretrained(d, output_loading_info=True)
print(type(model).__name__, {k: v for k, v in info.items() if v})
model.eval()
tok = AutoTokenizer.from_pretrained(d)
loss_sum, n, correct = 0.0, 0, 0
for line in open("examples/data/prm_eval.jsonl"):
    r = PRMTrainer.tokenize_row(json.loads(line), tok, "\n", 128, None, False, True)
    ids = torch.tensor([r["input_ids"]]); lab = torch.tensor(r["labels"])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0]
    m = lab != -100
    loss_sum += torch.nn.functional.cross_entropy(logits[m], lab[m], reduction="sum").item()
    n += int(m.sum()); correct += int((logits[m].argmax(-1) == lab[m]).sum())
print("eval_loss", loss_sum / n, "eval_accuracy", correct / n)
