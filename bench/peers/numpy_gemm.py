#!/usr/bin/env python3
"""numpy (OpenBLAS) SGEMM throughput for the shapes of io.rlhf4j.bench.GemmBench.

Each case is timed best-of-REPEATS (each repeat runs enough products to last >= 0.2 s), the
figure least disturbed by other processes on the machine. GFLOP/s = 2*m*n*k*batch / seconds / 1e9,
the same formula GemmBench's comments give for its ops/s. numpy uses every core it sees
(OpenBLAS threads = available processors, unless OPENBLAS_NUM_THREADS is set).

Usage: python3 bench/peers/numpy_gemm.py [--repeats 7] [--match TEXT]
(--match runs only the cases whose name contains TEXT, e.g. "n=1024".)
"""
import argparse
import time

import numpy as np


def best_seconds(fn, repeats):
    fn()  # warm-up: thread pool start, page faults on the output
    best = float("inf")
    for _ in range(repeats):
        calls = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            dt = time.perf_counter() - t0
            if dt >= 0.2:
                break
            calls *= 2
        best = min(best, dt / calls)
    return best


def case(name, flops, fn, args):
    if args.match and args.match not in name:
        return
    s = best_seconds(fn, args.repeats)
    print(f"{name:<28} {flops / s / 1e9:8.1f} GFLOP/s   ({s * 1e3:8.3f} ms/op)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--match", default="")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    def rand(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    print(f"numpy {np.__version__}")
    for n in (256, 512, 1024, 2048):
        a, b, c = rand(n, n), rand(n, n), np.empty((n, n), np.float32)
        case(f"sgemm n={n}", 2.0 * n ** 3, lambda: np.matmul(a, b, out=c), args)
    n = 1000
    a, b, c = rand(n, n), rand(n, n), np.empty((n, n), np.float32)
    case(f"sgemm n={n}", 2.0 * n ** 3, lambda: np.matmul(a, b, out=c), args)
    n = 1024
    a, b, c = rand(n, n), rand(n, n), np.empty((n, n), np.float32)
    case(f"sgemmTransA n={n}", 2.0 * n ** 3, lambda: np.matmul(a.T, b, out=c), args)
    case(f"sgemmTransB n={n}", 2.0 * n ** 3, lambda: np.matmul(a, b.T, out=c), args)
    batch, n = 8, 512
    a, b, c = rand(batch, n, n), rand(batch, n, n), np.empty((batch, n, n), np.float32)
    case(f"sgemmBatched {batch}x{n}", 2.0 * batch * n ** 3, lambda: np.matmul(a, b, out=c),
         args)


if __name__ == "__main__":
    main()
