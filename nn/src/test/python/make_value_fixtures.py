"""Per-token values of a PPO value model, as TRL's PPOTrainer reads them, for ValueModelTest.

TRL's value model is a transformers *ForSequenceClassification (num_labels 1) read at every
position by trl's get_reward (trl/trainer/utils.py of TRL 0.x; trl 1.13 no longer has it), whose
lines are copied below. Input: the transformers LlamaForSequenceClassification fixture
nn/src/test/resources/reward/llama_seqcls/ and a left-padded batch (pad id PAD). Output,
nn/src/test/resources/reward/llama_seqcls/values.safetensors:
  input_ids [3, 8] I64, values [3, 8] F32 (the score head at every position; padded positions too).

Run from the repository root: /tmp/trlvenv/bin/python nn/src/test/python/make_value_fixtures.py
"""

import os

import torch
from safetensors.torch import save_file
from transformers import AutoModelForSequenceClassification

DIR = os.path.join("nn", "src", "test", "resources", "reward", "llama_seqcls")
PAD = 0


def get_reward_logits(model, query_responses, pad_token_id):
    # ---- copied from trl/trainer/utils.py get_reward (TRL 0.x), up to reward_logits
    attention_mask = query_responses != pad_token_id
    position_ids = attention_mask.cumsum(1) - attention_mask.long()  # exclusive cumsum
    lm_backbone = getattr(model, model.base_model_prefix)
    input_ids = torch.masked_fill(query_responses, ~attention_mask, 0)
    output = lm_backbone(
        input_ids=input_ids,
        attention_mask=attention_mask,
        position_ids=position_ids,
        return_dict=True,
        output_hidden_states=True,
        use_cache=False,  # otherwise mistral-based RM would error out
    )
    reward_logits = model.score(output.hidden_states[-1])
    return reward_logits


def main():
    model = AutoModelForSequenceClassification.from_pretrained(DIR, torch_dtype=torch.float32).eval()
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(1, model.config.vocab_size, (3, 8), generator=g)
    ids[1, :3] = PAD  # left padding
    ids[2, :1] = PAD
    ids[2, 6:] = PAD  # right padding after the response
    with torch.no_grad():
        values = get_reward_logits(model, ids, PAD).squeeze(-1)
    save_file({"input_ids": ids.contiguous(), "values": values.contiguous()}, os.path.join(DIR, "values.safetensors"))


if __name__ == "__main__":
    main()
