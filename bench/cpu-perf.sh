#!/usr/bin/env bash
# Runs the CPU benchmarks behind docs/PERF.md and their peers, one after the other, so each
# rlhf4j figure has its NumPy/PyTorch counterpart measured minutes apart on the same machine.
#
#   bash bench/cpu-perf.sh RESULTS_DIR [quick]
#
# Needs a built bench/target/benchmarks.jar (./mvnw -q package -DskipTests), python3 with numpy,
# torch and transformers for the peers. Writes one log per step and JMH JSON into RESULTS_DIR.
# "quick" shortens every JMH run (for checking the script, not for figures).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: bench/cpu-perf.sh RESULTS_DIR [quick]}"
mkdir -p "$out"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar=bench/target/benchmarks.jar
short=()
[[ "${2:-}" == quick ]] && short=(-wi 1 -i 1 -w 1s -r 1s)

jmh() {  # jmh NAME REGEX [extra JMH args...]
  local name="$1"; shift
  local regex="$1"; shift
  "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar "$jar" "$regex" \
      -rf json -rff "$out/$name.json" "${short[@]}" "$@" 2>&1 | tee "$out/$name.log" | grep -E '^(Benchmark|GemmBench|[A-Za-z]+Bench\.)' || true
}

echo "== load before start: $(cat /proc/loadavg)"
jmh gemm-square 'GemmBench.sgemm$'
jmh gemm-variants 'GemmBench.sgemm(TransA|TransB)$' -p n=1024
jmh gemm-uneven-batched 'GemmBench.sgemm(Uneven|Batched)$'
python3 bench/peers/numpy_gemm.py | tee "$out/numpy_gemm.log"

jmh generation 'GenerationBench|ForwardBench'
python3 bench/peers/torch_cpu.py --repeats 3 | tee "$out/torch_cpu.log"
python3 bench/peers/torch_cpu.py --repeats 3 --dtype bfloat16 | tee "$out/torch_cpu_bf16.log"

jmh sft-step 'SftStepBench' -wi 2 -i 5   # single-shot steps: the first two warm the JIT up
python3 bench/peers/torch_sft_step.py --steps 3 | tee "$out/torch_sft_step.log"

jmh kernels 'LogSoftmaxGatherBench|RmsNormBench|SoftmaxBench|AttentionBench' -p cols=4096,32000
echo "== load at end: $(cat /proc/loadavg)"
