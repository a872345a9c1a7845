"""Peer figures for ForwardBench and GenerationBench: transformers + torch on the CPU.

    python bench/peers/torch_cpu.py [--threads 2] [--attn sdpa|eager]

A LlamaForCausalLM with SmolLM-135M's shape (hidden 576, 30 layers, 9 heads, 3 KV heads,
intermediate 1536, vocabulary 49152, tied embeddings, rope_theta 10000), random init, F32,
torch.set_num_threads(2) by default (the Java benchmarks' machine has 2 cores), SDPA attention
by default. Measures, like the Java benchmarks:
  forward:  logits of [1, 128] tokens under torch.inference_mode()
  generate: greedy generate of 64 new tokens after a 32-token prompt (KV cache, eos disabled)
and prints the median time and tokens/s of each.
"""

import argparse
import statistics
import time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"],
                        help="weights and compute dtype (bfloat16: the peer of GenerationBench weights=BF16)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                         rms_norm_eps=1e-5, tie_word_embeddings=True, bos_token_id=0, eos_token_id=0,
                         rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    config._attn_implementation = args.attn
    model = LlamaForCausalLM(config).eval().to(getattr(torch, args.dtype))
    g = torch.Generator().manual_seed(1)
    forward_ids = torch.randint(0, 49152, (1, 128), generator=g)
    prompt = torch.randint(0, 49152, (1, 32), generator=g)

    def forward():
        with torch.inference_mode():
            model(input_ids=forward_ids).logits

    def generate():
        with torch.inference_mode():
            out = model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                 max_new_tokens=64, min_new_tokens=64, eos_token_id=None, pad_token_id=0)
        assert out.shape[1] == 96

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, {args.dtype}, threads {args.threads}, "
          f"attention {args.attn}, {sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters")
    forward()
    generate()
    f = timed(forward, args.repeats)
    print(f"forward [1, 128]: {f * 1e3:.1f} ms, {128 / f:.0f} tokens/s")
    t = timed(generate, args.repeats)
    print(f"generate 64 after 32: {t * 1e3:.0f} ms, {64 / t:.1f} tokens/s")


if __name__ == "__main__":
    main()
