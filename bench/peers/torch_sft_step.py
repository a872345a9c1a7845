"""PyTorch peer of SftStepBench: one SFT training step of a SmolLM-135M-shaped Llama.

Forward, token cross-entropy (labels = inputs, transformers' shifted loss), backward, AdamW step,
on a batch of 2 x 256 random tokens, F32, random N(0, 0.02) weights (transformers' init).
Prints seconds per step, tokens/s and peak RSS (ru_maxrss).

Usage: python bench/peers/torch_sft_step.py [--steps 3] [--threads N]
"""
import argparse
import resource
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                         rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True)
    model = LlamaForCausalLM(config).float().train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    ids = torch.randint(0, 49152, (2, 256))
    times = []
    for i in range(args.steps + 1):
        start = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        if i > 0:  # the first step allocates optimizer state and warms up
            times.append(time.perf_counter() - start)
    s = sum(times) / len(times)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads: SFT step SmolLM-135M shape, 2 x 256 tokens,"
          f" F32: {s:.2f} s/step, {512 / s:.1f} tokens/s over {len(times)} steps;"
          f" peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
